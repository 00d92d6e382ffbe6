using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>RolloutService answering from the <see cref="FakeBackend"/>, noting who called.</summary>
internal sealed class FakeRolloutService(FakeBackend backend) : RolloutService.RolloutServiceBase
{
    public override Task<Rollout> StartRollout(StartRolloutRequest request, ServerCallContext context) => Answer(context, () => backend.StartRollout(backend.Record(request)));

    public override Task<Rollout> GetRollout(GetRolloutRequest request, ServerCallContext context) => Answer(context, () => backend.GetRollout(backend.Record(request)));

    public override Task<Rollout> AdvanceRollout(AdvanceRolloutRequest request, ServerCallContext context) =>
        Answer(context, () => backend.AdvanceRollout(backend.Record(request)));

    public override Task<Rollout> RollBackRollout(RollBackRolloutRequest request, ServerCallContext context) =>
        Answer(context, () => backend.RollBackRollout(backend.Record(request)));

    public override Task<TrafficSplit> GetTrafficSplit(GetTrafficSplitRequest request, ServerCallContext context) =>
        Answer(context, () => backend.GetTrafficSplit(backend.Record(request)));

    public override Task<RolloutPlan> SetRolloutPolicy(SetRolloutPolicyRequest request, ServerCallContext context) =>
        Answer(context, () => backend.SetRolloutPolicy(backend.Record(request)));

    public override Task<RolloutPlan> GetRolloutPolicy(GetRolloutPolicyRequest request, ServerCallContext context) =>
        Answer(context, () => backend.GetRolloutPolicy(backend.Record(request)));

    private Task<T> Answer<T>(ServerCallContext context, Func<T> answer)
    {
        backend.ModelCallers.Enqueue(context.RequestHeaders.GetValue("x-orch-user") ?? "");
        return Task.FromResult(answer());
    }
}
