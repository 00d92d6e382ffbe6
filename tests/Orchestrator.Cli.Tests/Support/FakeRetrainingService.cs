using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>RetrainingService answering from the <see cref="FakeBackend"/>, noting who called.</summary>
internal sealed class FakeRetrainingService(FakeBackend backend) : RetrainingService.RetrainingServiceBase
{
    public override Task<RetrainingStatus> SetRetrainingPolicy(SetRetrainingPolicyRequest request, ServerCallContext context) =>
        Answer(context, () => backend.SetRetrainingPolicy(backend.Record(request)));

    public override Task<RetrainingStatus> GetRetrainingStatus(GetRetrainingStatusRequest request, ServerCallContext context) =>
        Answer(context, () => backend.GetRetrainingStatus(backend.Record(request)));

    public override Task<RetrainingStatus> DeleteRetrainingPolicy(DeleteRetrainingPolicyRequest request, ServerCallContext context) =>
        Answer(context, () => backend.DeleteRetrainingPolicy(backend.Record(request)));

    public override Task<RetrainingStatus> TriggerRetraining(TriggerRetrainingRequest request, ServerCallContext context) =>
        Answer(context, () => backend.TriggerRetraining(backend.Record(request)));

    public override Task<RetrainingBudget> GetRetrainingBudget(GetRetrainingBudgetRequest request, ServerCallContext context) =>
        Answer(context, () => backend.GetRetrainingBudget(backend.Record(request)));

    public override Task<RetrainingBudget> SetRetrainingBudget(SetRetrainingBudgetRequest request, ServerCallContext context) =>
        Answer(context, () => backend.SetRetrainingBudget(backend.Record(request)));

    private Task<T> Answer<T>(ServerCallContext context, Func<T> answer)
    {
        backend.ModelCallers.Enqueue(context.RequestHeaders.GetValue("x-orch-user") ?? "");
        return Task.FromResult(answer());
    }
}
