using Grpc.Core;
using Microsoft.Extensions.Logging;
using Orchestrator.Contracts.V1;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Gateway.Agents;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Scheduling;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>NodeService</c>: the agent channel and the admin view of nodes.</summary>
public sealed partial class NodeService(IGrainFactory grains, IStepLogStore logs, ILogger<NodeService> logger)
    : Contracts.V1.NodeService.NodeServiceBase
{
    /// <inheritdoc />
    public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControlMessage> responseStream, ServerCallContext context)
    {
        var cancel = context.CancellationToken;
        if (!await requestStream.MoveNext(cancel)) return;
        var register = requestStream.Current.Register
            ?? throw OrchestratorException.Invalid("register", "the first message on the agent stream must be `register`");
        var nodeName = RequestRules.Node(register.Node, "register.node");

        var connection = new AgentConnection(nodeName);
        var observer = grains.CreateObjectReference<IAgentObserver>(connection);
        var node = grains.GetGrain<IGpuNodeGrain>(nodeName);
        using var pumpCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var pump = connection.PumpAsync(responseStream, pumpCancel.Token);
        var reports = new ReportDispatcher(grains, connection, _ => pumpCancel.Cancel(), logger);
        try
        {
            var registered = await node.RegisterAsync(new NodeRegistration
            {
                Node = nodeName,
                Labels = RequestRules.Labels(register.Labels, "register.labels"),
                Gpus = [.. register.Gpus.Select(AgentConnection.ToCore)],
                CpuMillis = register.CpuMillis,
                MemoryBytes = register.MemoryBytes,
                Running = [.. register.Running.Select(AgentConnection.ToCore)],
                AgentVersion = register.AgentVersion,
                Address = Address(register.Address),
            }, observer);
            connection.Send(new ControlMessage
            {
                Registered = new Registered
                {
                    Node = nodeName, HeartbeatIntervalMs = (int)registered.HeartbeatInterval.TotalMilliseconds, LeaseMs = (int)registered.Lease.TotalMilliseconds,
                },
            });
            LogConnected(nodeName);

            try
            {
                while (await requestStream.MoveNext(pumpCancel.Token))
                {
                    if (!await HandleAsync(nodeName, node, observer, reports, requestStream.Current)) break;
                }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                // A report could not be recorded: end the stream so the agent reconnects and resends.
            }
        }
        finally
        {
            connection.Complete();
            await node.DisconnectAsync(observer);
            grains.DeleteObjectReference<IAgentObserver>(observer);
            await pumpCancel.CancelAsync();
            try
            {
                await pump;
            }
            catch (OperationCanceledException)
            {
                // the stream ended first
            }

            LogDisconnected(nodeName);
        }
    }

    /// <summary>Handles one message; false ends the stream (the agent must register again).</summary>
    private async Task<bool> HandleAsync(string nodeName, IGpuNodeGrain node, IAgentObserver observer, ReportDispatcher reports, AgentMessage message)
    {
        switch (message.BodyCase)
        {
            case AgentMessage.BodyOneofCase.Heartbeat:
                var samples = message.Heartbeat.Gpus.Select(g => new GpuSampleInfo(g.Index, g.Utilization, g.MemoryUsedBytes)).ToList();
                return await node.HeartbeatAsync(samples, observer);
            case AgentMessage.BodyOneofCase.StepStarted:
            {
                var step = AgentConnection.ToCore(message.StepStarted.Step);
                reports.Post(RequestRules.RunId(step.RunId, "step_started.step.run_id"), new AgentReport(step, nodeName, null), message.StepStarted.ReportId);
                return true;
            }

            case AgentMessage.BodyOneofCase.StepFinished:
            {
                var finished = message.StepFinished;
                var step = AgentConnection.ToCore(finished.Step);
                var runId = RequestRules.RunId(step.RunId, "step_finished.step.run_id");
                // Every chunk of its output came before this message on the stream: the log is complete.
                await logs.CompleteAsync(StepLogKey.Of(step));
                reports.Post(runId, new AgentReport(step, nodeName, new StepReport
                {
                    Outcome = ToCore(finished.Outcome), ExitCode = finished.ExitCode, Message = finished.Message.Length == 0 ? null : finished.Message,
                    Outputs = [.. finished.Outputs.Select(RunMapper.ToCore)], Node = nodeName,
                }), finished.ReportId);
                return true;
            }

            case AgentMessage.BodyOneofCase.StepLog:
            {
                var log = message.StepLog;
                var stream = log.Stream == LogStream.Stderr ? LogStreamKind.Stderr : LogStreamKind.Stdout;
                try
                {
                    await logs.AppendAsync(new StepLogKey(log.Step.RunId, log.Step.StepKey, log.Step.Attempt, log.Step.Replica), stream, log.Data.Memory, DateTimeOffset.UtcNow);
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    // Late output of an attempt already closed (lost, then heard from again), or a malformed key:
                    // dropping it must not cost the agent its stream.
                    LogDroppedOutput(nodeName, log.Step.RunId, log.Step.StepKey, e.Message);
                }

                return true;
            }

            case AgentMessage.BodyOneofCase.Register:
                throw OrchestratorException.Invalid("register", "an agent registers once per stream; open a new stream to register again");
            default:
                return true;
        }
    }

    /// <inheritdoc />
    public override async Task<ListNodesResponse> ListNodes(ListNodesRequest request, ServerCallContext context)
    {
        var pools = await SchedulerPools.KnownAsync(grains);
        var names = (await Task.WhenAll(pools.Select(p => grains.GetGrain<ISchedulerGrain>(p).ListNodesAsync())))
            .SelectMany(n => n).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var views = await Task.WhenAll(names.Select(n => grains.GetGrain<IGpuNodeGrain>(n).GetAsync()));
        var response = new ListNodesResponse();
        response.Nodes.AddRange(views.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Node> CordonNode(CordonNodeRequest request, ServerCallContext context) =>
        ToProto(await grains.GetGrain<IGpuNodeGrain>(RequestRules.Node(request.Node)).SetCordonedAsync(true));

    /// <inheritdoc />
    public override async Task<Node> UncordonNode(CordonNodeRequest request, ServerCallContext context) =>
        ToProto(await grains.GetGrain<IGpuNodeGrain>(RequestRules.Node(request.Node)).SetCordonedAsync(false));

    /// <inheritdoc />
    public override async Task<Node> DrainNode(CordonNodeRequest request, ServerCallContext context) =>
        ToProto(await grains.GetGrain<IGpuNodeGrain>(RequestRules.Node(request.Node)).DrainAsync());

    private static AttemptOutcome ToCore(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Succeeded => AttemptOutcome.Succeeded,
        StepOutcome.TimedOut => AttemptOutcome.TimedOut,
        StepOutcome.Cancelled => AttemptOutcome.Cancelled,
        StepOutcome.InfraFailed => AttemptOutcome.InfrastructureFailed,
        _ => AttemptOutcome.Failed,
    };

    /// <summary>The address a node advertises for gangs: a host name or IP address, or empty for its name.</summary>
    private static string Address(string address)
    {
        if (address.Length > 253 || address.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/'))
            throw OrchestratorException.Invalid("register.address", "must be a host name or IP address (at most 253 characters, no spaces or '/'), e.g. 10.0.0.12; leave it empty to use the node's name");
        return address;
    }

    private static Node ToProto(NodeView view)
    {
        var node = new Node
        {
            Name = view.Name,
            State = view.Status switch { NodeStatus.Ready => NodeState.Ready, NodeStatus.Lost => NodeState.Lost, _ => NodeState.Disconnected },
            Cordoned = view.Cordoned, Address = view.Address,
            Drain = view.Drain switch { NodeDrain.Draining => DrainState.Draining, NodeDrain.Drained => DrainState.Drained, _ => DrainState.Unspecified },
            CpuMillis = view.CpuMillis, MemoryBytes = view.MemoryBytes, LastHeartbeat = RunMapper.Time(view.LastHeartbeat),
            CpuMillisAllocated = view.Allocations.Sum(a => a.CpuMillis), MemoryBytesAllocated = view.Allocations.Sum(a => a.MemoryBytes),
        };
        node.Labels.Add(view.Labels);
        node.Gpus.AddRange(view.Gpus.Select(g => new GpuDevice { Index = g.Index, Uuid = g.Uuid, Model = g.Model, MemoryBytes = g.MemoryBytes, Simulated = g.Simulated }));
        node.Utilization.AddRange(view.Utilization.Select(u => new GpuSample { Index = u.Index, Utilization = u.Utilization, MemoryUsedBytes = u.MemoryUsedBytes }));
        node.Allocations.AddRange(view.Allocations.Select(a =>
        {
            var allocation = new Allocation { Step = AgentConnection.ToProto(a.Step), CpuMillis = a.CpuMillis, MemoryBytes = a.MemoryBytes, Since = RunMapper.Time(a.Since) };
            allocation.GpuIndices.AddRange(a.Gpus);
            return allocation;
        }));
        return node;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent of node {Node} connected")]
    private partial void LogConnected(string node);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Node {Node}: dropped output of {RunId}/{Step}: {Reason}")]
    private partial void LogDroppedOutput(string node, string runId, string step, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent of node {Node} disconnected")]
    private partial void LogDisconnected(string node);
}
