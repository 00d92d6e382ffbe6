using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>What a client of a cluster in failover does: retry a call rejected with UNAVAILABLE until a deadline.</summary>
internal static class Failover
{
    public static Task<T> RetryAsync<T>(Func<Task<T>> call, TimeSpan bound, string what) where T : class =>
        Eventually.Until<T>(async () =>
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return null;
            }
        }, bound, what);

    /// <summary>Every run carrying the label <paramref name="selector"/>, through <paramref name="runs"/>, all pages.</summary>
    public static async Task<List<Run>> ListAllAsync(RunService.RunServiceClient runs, string selector)
    {
        var all = new List<Run>();
        var token = "";
        do
        {
            var page = await runs.ListRunsAsync(new ListRunsRequest { LabelSelector = selector, PageSize = 1000, PageToken = token },
                deadline: DateTime.UtcNow.AddSeconds(20));
            all.AddRange(page.Runs);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return all;
    }

    /// <summary>Waits until every one of <paramref name="expected"/> runs with the label is finished; returns them.</summary>
    public static Task<List<Run>> AllFinishedAsync(RunService.RunServiceClient runs, string selector, int expected, TimeSpan bound, Func<string> diagnostics) =>
        Eventually.Until<List<Run>>(async () =>
        {
            try
            {
                var listed = await ListAllAsync(runs, selector);
                return listed.Count >= expected && listed.All(r => r.State is RunState.Succeeded or RunState.Failed or RunState.Cancelled) ? listed : null;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return null;
            }
        }, bound, $"the {expected} runs labelled {selector} to finish\n" + diagnostics());
}
