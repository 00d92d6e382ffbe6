using Google.Protobuf.WellKnownTypes;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Proto = Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Runs, steps and events from Core to the wire. Core's enum values equal the proto's by design.</summary>
public static class RunMapper
{
    /// <summary>A full run.</summary>
    public static Proto.Run ToProto(RunSnapshot run)
    {
        var d = run.Definition;
        var result = new Proto.Run
        {
            Id = d.Id, Tenant = d.Tenant, Pipeline = d.Pipeline, PipelineVersion = d.PipelineVersion, PipelineDigest = d.PipelineDigest,
            State = (Proto.RunState)run.State, Revision = run.Revision, Priority = d.Priority, RequestId = d.RequestId,
            CacheDisabled = d.CacheDisabled, CreatedAt = Time(d.CreatedAt), StartedAt = Time(run.StartedAt), FinishedAt = Time(run.FinishedAt),
            Message = run.Message ?? "", SubmittedBy = d.SubmittedBy,
        };
        result.Parameters.Add(run.Parameters.ToDictionary());
        result.Labels.Add(d.Labels.ToDictionary());
        foreach (var (state, count) in run.StepCounts) result.StepCounts[state.ToString()] = count;
        result.Steps.AddRange(run.Steps.Select(ToProto));
        result.Events.AddRange(run.Events.Select(ToProto));
        return result;
    }

    /// <summary>A run as list views show it: no steps, no events.</summary>
    public static Proto.Run ToProto(RunSummary run)
    {
        var result = new Proto.Run
        {
            Id = run.Id, Tenant = run.Tenant, Pipeline = run.Pipeline, PipelineVersion = run.PipelineVersion, PipelineDigest = run.PipelineDigest,
            State = (Proto.RunState)run.State, Revision = run.Revision, Priority = run.Priority, RequestId = run.RequestId,
            CreatedAt = Time(run.CreatedAt), StartedAt = Time(run.StartedAt), FinishedAt = Time(run.FinishedAt), Message = run.Message,
            SubmittedBy = run.SubmittedBy,
        };
        result.Labels.Add(run.Labels.ToDictionary());
        result.StepCounts.Add(run.StepCounts.ToDictionary());
        return result;
    }

    /// <summary>One step.</summary>
    public static Proto.StepStatus ToProto(StepSnapshot s)
    {
        var result = new Proto.StepStatus
        {
            Key = s.Key, Name = s.Name, Index = s.Index, State = (Proto.StepState)s.State, Attempt = s.Attempt, Node = s.Node ?? "",
            StartedAt = Time(s.StartedAt), FinishedAt = Time(s.FinishedAt), Message = s.Message ?? "", CacheKey = s.CacheKey ?? "",
            ExitHandler = s.IsExitHandler, RetryAt = Time(s.RetryAt),
        };
        result.GpuIndices.AddRange(s.Gpus);
        result.Replicas.AddRange(s.Replicas.Select(ToProto));
        result.Outputs.AddRange(s.Outputs.Select(ToProto));
        result.Attempts.AddRange(s.Attempts.Select(a =>
        {
            var attempt = new Proto.Attempt
            {
                Number = a.Number, State = (Proto.StepState)a.State, Node = a.Node ?? "", StartedAt = Time(a.StartedAt),
                FinishedAt = Time(a.FinishedAt), ExitCode = a.ExitCode ?? 0, Message = a.Message ?? "", Infrastructure = a.Infrastructure,
                Preempted = a.Preempted,
            };
            attempt.GpuIndices.AddRange(a.Gpus);
            attempt.Replicas.AddRange(a.Replicas.Select(ToProto));
            return attempt;
        }));
        return result;
    }

    /// <summary>One event.</summary>
    public static Proto.RunEvent ToProto(RunEvent e)
    {
        var result = new Proto.RunEvent
        {
            Revision = e.Revision, Time = Time(e.Time), Actor = e.Actor, Type = e.Type.ToString(), StepKey = e.StepKey ?? "",
            Attempt = e.Attempt, StepState = (Proto.StepState)(int)(e.StepStateAfter ?? 0), RunState = (Proto.RunState)(int)(e.RunState ?? 0),
            Node = e.Node ?? "", ExitCode = e.ExitCode ?? 0, Message = e.Message ?? "", RetryAt = Time(e.RetryAt), Infrastructure = e.Infrastructure,
            Preempted = e.Preempted,
        };
        if (e.Gpus is not null) result.GpuIndices.AddRange(e.Gpus);
        if (e.Replicas is not null) result.Replicas.AddRange(e.Replicas.Select(ToProto));
        if (e.Replica is { } replica) result.Replica = replica;
        if (e.Outputs is not null) result.Outputs.AddRange(e.Outputs.Select(ToProto));
        return result;
    }

    /// <summary>Where one process of a gang runs.</summary>
    public static Proto.ReplicaPlacement ToProto(ReplicaSlot r)
    {
        var result = new Proto.ReplicaPlacement { Replica = r.Replica, Node = r.Node };
        result.GpuIndices.AddRange(r.Gpus);
        return result;
    }

    /// <summary>One output.</summary>
    public static Proto.Artifact ToProto(StepOutput o) => new() { Name = o.Name, Digest = o.Digest, Size = o.Size, Value = o.Value ?? "" };

    /// <summary>From the wire.</summary>
    public static StepOutput ToCore(Proto.Artifact a) => new(a.Name, a.Digest, a.Size, a.Value.Length == 0 && a.Size > 0 ? null : a.Value);

    /// <summary>A timestamp, or null.</summary>
    public static Timestamp? Time(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
