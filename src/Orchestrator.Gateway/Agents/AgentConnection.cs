using System.Threading.Channels;
using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains.Nodes;
using CoreAssignment = Orchestrator.Grains.Nodes.StepAssignment;
using CoreStepRef = Orchestrator.Core.Runs.StepRef;
using ProtoAssignment = Orchestrator.Contracts.V1.StepAssignment;

namespace Orchestrator.Gateway.Agents;

/// <summary>The gateway's end of one agent stream: node grains call it (as an Orleans observer) and it writes to the
/// agent; a single writer loop keeps the stream's messages in order.</summary>
public sealed class AgentConnection(string node) : IAgentObserver
{
    private readonly Channel<ControlMessage> _outbox = Channel.CreateUnbounded<ControlMessage>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a message for the agent.</summary>
    public void Send(ControlMessage message) => _outbox.Writer.TryWrite(message);

    /// <summary>Writes queued messages to the stream until it ends or the connection completes.</summary>
    public async Task PumpAsync(IServerStreamWriter<ControlMessage> stream, CancellationToken cancellationToken)
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken))
            await stream.WriteAsync(message, cancellationToken);
    }

    /// <summary>No more messages.</summary>
    public void Complete() => _outbox.Writer.TryComplete();

    /// <inheritdoc />
    public Task AssignAsync(CoreAssignment assignment)
    {
        Send(new ControlMessage { Assign = ToProto(assignment, node) });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CancelAsync(CoreStepRef step, TimeSpan grace, string reason)
    {
        Send(new ControlMessage { Cancel = new CancelStep { Step = ToProto(step), GraceMs = (int)Math.Min(int.MaxValue, grace.TotalMilliseconds), Reason = reason } });
        return Task.CompletedTask;
    }

    /// <summary>A step ref on the wire.</summary>
    public static Contracts.V1.StepRef ToProto(CoreStepRef step) => new() { RunId = step.RunId, StepKey = step.StepKey, Attempt = step.Attempt, Replica = step.Replica };

    /// <summary>A step ref from the wire.</summary>
    public static CoreStepRef ToCore(Contracts.V1.StepRef step) => new(step.RunId, step.StepKey, step.Attempt, step.Replica);

    private static ProtoAssignment ToProto(CoreAssignment assignment, string node)
    {
        var resolved = assignment.Resolved;
        var result = new ProtoAssignment
        {
            Step = ToProto(assignment.Step), Image = resolved.Image, Pipeline = assignment.Pipeline, Node = node,
            TimeoutMs = resolved.Timeout is { } t ? (long)t.TotalMilliseconds : 0,
        };
        result.Command.AddRange(resolved.Command);
        result.Env.Add(resolved.Env.ToDictionary());
        result.Outputs.AddRange(resolved.Outputs);
        result.GpuIndices.AddRange(assignment.Gpus);
        if (assignment.Gang is { } gang)
        {
            result.Gang = new GangMember { Replica = gang.Replica, Replicas = gang.Replicas, MasterAddr = gang.MasterAddress, MasterPort = gang.MasterPort };
        }

        foreach (var input in resolved.Inputs)
        {
            var proto = new StepInput { Name = input.Name };
            if (input.Artifact is not null) proto.Artifact = RunMapper.ToProto(input.Artifact);
            else if (input.Collected is not null)
            {
                proto.Collected = new ArtifactList();
                proto.Collected.Items.AddRange(input.Collected.Select(RunMapper.ToProto));
            }
            else proto.Value = input.Value ?? "";
            result.Inputs.Add(proto);
        }

        return result;
    }

    /// <summary>The wire form of a GPU.</summary>
    public static GpuDeviceInfo ToCore(GpuDevice gpu) => new(gpu.Index, gpu.Uuid, gpu.Model, gpu.MemoryBytes, gpu.Simulated);

}
