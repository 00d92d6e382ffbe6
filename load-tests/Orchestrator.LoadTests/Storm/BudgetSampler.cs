using Grpc.Core;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Storm;

/// <summary>Samples <c>GetRetrainingBudget</c> while the storm goes on: the most models holding the budget at once, in all
/// and per tenant, and the most waiting.</summary>
internal sealed class BudgetSampler(RetrainingService.RetrainingServiceClient retraining)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Samples taken.</summary>
    public int Samples { get; private set; }

    /// <summary>Most models holding the budget in one sample.</summary>
    public int MaxGranted { get; private set; }

    /// <summary>Most models of one tenant holding the budget in one sample.</summary>
    public int MaxGrantedPerTenant { get; private set; }

    /// <summary>Most models waiting in one sample.</summary>
    public int MaxWaiting { get; private set; }

    /// <summary>Models seen waiting in any sample.</summary>
    public HashSet<string> SeenWaiting { get; } = new(StringComparer.Ordinal);

    /// <summary>Samples until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval);
            do
            {
                var budget = await retraining.GetRetrainingBudgetAsync(new GetRetrainingBudgetRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: stop);
                Samples++;
                MaxGranted = Math.Max(MaxGranted, budget.Granted.Count);
                MaxGrantedPerTenant = Math.Max(MaxGrantedPerTenant, budget.Granted.GroupBy(g => g.Tenant).Select(g => g.Count()).DefaultIfEmpty(0).Max());
                MaxWaiting = Math.Max(MaxWaiting, budget.Waiting.Count);
                foreach (var waiter in budget.Waiting) SeenWaiting.Add(waiter.Model);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            // the storm is over
        }
    }
}
