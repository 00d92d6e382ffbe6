using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Watch;

/// <summary>Follows a run until it finishes: GetRun, then WatchRun from its revision, reconnecting from the last revision seen.</summary>
internal sealed class RunWatcher(RunService.RunServiceClient runs, ReconnectPolicy policy, TimeProvider clock)
{
    /// <summary>Watches run <paramref name="runId"/> to its end and returns it as last seen.</summary>
    /// <exception cref="CliFailureException">When the stream broke more than the policy allows in a row.</exception>
    public async Task<Run> WatchAsync(string runId, IRunWatchSink sink, CancellationToken cancellationToken)
    {
        var run = await runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true }, OrchClient.Unary(cancellationToken));
        var state = new RunWatchState(run);
        await sink.StartedAsync(state, cancellationToken);
        var failures = 0;
        while (!state.IsFinished)
        {
            string problem;
            try
            {
                using var call = runs.WatchRun(new WatchRunRequest { RunId = runId, FromRevision = state.Revision }, OrchClient.Streaming(cancellationToken));
                while (!state.IsFinished && await call.ResponseStream.MoveNext(cancellationToken))
                {
                    var runEvent = call.ResponseStream.Current;
                    if (!state.Apply(runEvent)) continue;
                    failures = 0;
                    await sink.EventAsync(state, runEvent, cancellationToken);
                }

                if (state.IsFinished) break;

                // Reconnecting from the last revision delivers whatever this stream did not (the server restarted?).
                problem = "the server ended the stream before the run finished";
            }
            catch (RpcException e) when (IsTransient(e.StatusCode) && !cancellationToken.IsCancellationRequested)
            {
                problem = $"{CliErrors.StatusName(e.StatusCode)}: {e.Status.Detail}";
            }

            failures++;
            if (failures > policy.MaxAttempts)
            {
                throw new CliFailureException(
                    $"the event stream of run {runId} broke {failures} times in a row (last: {problem}); follow it again with 'orch run watch {runId}'");
            }

            var delay = policy.Delay(failures);
            await sink.ReconnectingAsync(state, failures, delay, problem, cancellationToken);
            await Task.Delay(delay, clock, cancellationToken);
        }

        await sink.FinishedAsync(state, cancellationToken);
        return state.Run;
    }

    // Broken connections, server restarts and resets are worth another try; a refused request is not.
    private static bool IsTransient(StatusCode code) => code is StatusCode.Unavailable or StatusCode.Internal
        or StatusCode.Unknown or StatusCode.Aborted or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.DataLoss;
}
