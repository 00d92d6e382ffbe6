using System.Diagnostics;
using Grpc.Core;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Transitions;

/// <summary>Submits one fan-out run and follows it to RunFinished, timing it; a run that cannot finish (the agent's
/// stream ended, or the run timed out) comes back with what was seen up to then and why.</summary>
internal sealed class RunProbe(RunService.RunServiceClient runs, NodeService.NodeServiceClient nodes, FakeAgent agent, string tenant)
{
    /// <summary>Runs one run of <paramref name="size"/> steps.</summary>
    public async Task<RunSample> RunOnceAsync(int size, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = FanOutPipeline.Submit(tenant, size);
        // A request id makes a retried submit return the same run, as the API promises for a submit that timed out.
        request.RequestId = "load-" + Guid.NewGuid().ToString("N");
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, agent.Lost);
        abort.CancelAfter(timeout);
        var events = new List<RunEvent>((size * TransitionsSettings.TransitionsPerStep) + 8);
        var started = Stopwatch.GetTimestamp();
        string? runId = null;
        var submitAttempts = 0;
        var submitSeconds = 0.0;
        var watchRestarts = 0;
        try
        {
            Run run;
            (run, submitAttempts) = await SubmitAsync(request, abort.Token);
            runId = run.Id;
            submitSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            watchRestarts = await WatchToTheEndAsync(run.Id, events, abort.Token);
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new RunSample(size, run.Id, wall, submitSeconds, StateName(events[^1].RunState), RunTimeline.Of(events), submitAttempts, watchRestarts, null);
        }
        catch (Exception e) when (abort.IsCancellationRequested && !cancellationToken.IsCancellationRequested &&
                                  e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var why = agent.Lost.IsCancellationRequested
                ? $"after {wall:F1} s the server ended the fake agent's stream ({agent.FaultMessage}); node {FakeAgent.NodeName} is {await NodeStateAsync()}"
                : $"not finished within {timeout.TotalSeconds:0} s";
            var where = runId is null ? $"the submit had not returned after {submitAttempts} attempt(s)" : await StepCountsAsync(runId);
            return new RunSample(size, runId ?? "(not submitted)", wall, submitSeconds, "Unfinished", RunTimeline.Of(events), submitAttempts, watchRestarts, $"{why}; {where}");
        }
    }

    /// <summary>Submits, retrying (same request id) while the server says it did not answer in time.</summary>
    private async Task<(Run Run, int Attempts)> SubmitAsync(SubmitRunRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await runs.SubmitRunAsync(request, cancellationToken: cancellationToken), attempt);
            }
            catch (RpcException e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                // The run grain is still working on the first attempt; the retry waits for it and returns the run.
            }
        }
    }

    /// <summary>Reads the run's events from the first to RunFinished into <paramref name="events"/>, re-opening the
    /// watch after the last revision seen when the server drops it, as the CLI does. Returns the re-opens.</summary>
    private async Task<int> WatchToTheEndAsync(string runId, List<RunEvent> events, CancellationToken cancellationToken)
    {
        for (var restarts = 0; ; restarts++)
        {
            try
            {
                using var watch = runs.WatchRun(new WatchRunRequest { RunId = runId, FromRevision = events.Count == 0 ? 0 : events[^1].Revision }, cancellationToken: cancellationToken);
                while (await watch.ResponseStream.MoveNext(cancellationToken))
                {
                    var e = watch.ResponseStream.Current;
                    events.Add(e);
                    if (e.Type == "RunFinished") return restarts;
                }
            }
            catch (RpcException e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                // dropped: resume after the last event seen
            }
        }
    }

    private async Task<string> StepCountsAsync(string runId)
    {
        try
        {
            var run = await runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true }, deadline: DateTime.UtcNow.AddSeconds(30));
            return $"the run is {StateName(run.State)} with steps " + string.Join(", ", run.StepCounts.Select(c => $"{c.Key} {c.Value}"));
        }
        catch (RpcException e)
        {
            return $"the run's state could not be read: {e.StatusCode}: {e.Status.Detail}";
        }
    }

    private async Task<string> NodeStateAsync()
    {
        try
        {
            var list = await nodes.ListNodesAsync(new ListNodesRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
            return list.Nodes.FirstOrDefault(n => n.Name == FakeAgent.NodeName) is { } node ? node.State.ToString().ToUpperInvariant() : "unknown to the server";
        }
        catch (RpcException e)
        {
            return $"unknown ({e.StatusCode}: {e.Status.Detail})";
        }
    }

    private static bool IsTransient(RpcException e) => e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded;

    private static string StateName(RunState state) => state switch
    {
        RunState.Succeeded => "Succeeded",
        RunState.Failed => "Failed",
        RunState.Cancelled => "Cancelled",
        RunState.Running => "Running",
        RunState.Pending => "Pending",
        _ => state.ToString(),
    };
}
