using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Storm;

/// <summary>Ordinary runs of a one-step pipeline submitted open-loop at a steady rate while the storm goes on; each is
/// tagged with the phase (calm or storm) it was submitted in, and its ready -> placed latency is read afterwards from the
/// run's own events (server clock).</summary>
internal sealed class OrdinaryLoad(GrpcChannel[] channels, string tenant, int rate)
{
    private const int SubmitsInFlight = 64;
    private readonly ConcurrentQueue<Submitted> _submitted = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private volatile string _phase = "calm";

    /// <summary>The phase new submissions are counted in.</summary>
    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    /// <summary>Submit calls that failed, in words.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Submits until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var inFlight = new SemaphoreSlim(SubmitsInFlight);
        var calls = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                // Open loop: the i-th submit is due at i / rate seconds.
                var due = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero) await Task.Delay(due, stop);
                await inFlight.WaitAsync(stop);
                var phase = Phase;
                var runs = new RunService.RunServiceClient(channels[i % channels.Length]);
                calls.Add(SubmitAsync(runs, phase, inFlight));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the storm is over
        }

        await Task.WhenAll(calls);
    }

    /// <summary>Reads every submitted run and returns its ready -> placed latency with its phase.</summary>
    public async Task<List<OrdinaryRun>> CollectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var submitted = _submitted.ToArray();
        var results = new OrdinaryRun[submitted.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, submitted.Length), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await PlacedAsync(new RunService.RunServiceClient(channels[i % channels.Length]), submitted[i], deadline, ct));
        return [.. results];
    }

    private async Task SubmitAsync(RunService.RunServiceClient runs, string phase, SemaphoreSlim inFlight)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var run = await runs.SubmitRunAsync(new SubmitRunRequest { Tenant = tenant, Pipeline = StormFleet.OrdinaryPipeline, DisableCache = true, SubmittedBy = "load-tests" },
                deadline: DateTime.UtcNow.AddSeconds(60));
            _submitted.Enqueue(new Submitted(run.Id, phase, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
        catch (RpcException e)
        {
            _failures.Enqueue($"SubmitRun: {e.StatusCode}: {e.Status.Detail}");
        }
        finally
        {
            inFlight.Release();
        }
    }

    private static async Task<OrdinaryRun> PlacedAsync(RunService.RunServiceClient runs, Submitted submitted, DateTime deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await runs.GetRunAsync(new GetRunRequest { RunId = submitted.RunId }, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cancellationToken);
            var ready = run.Events.FirstOrDefault(e => e.Type == "StepReady" && e.Attempt == 1);
            var placed = run.Events.FirstOrDefault(e => e.Type == "StepPlaced" && e.Attempt == 1);
            if (ready is not null && placed is not null)
                return new OrdinaryRun(submitted.Phase, (placed.Time.ToDateTimeOffset() - ready.Time.ToDateTimeOffset()).TotalMilliseconds, submitted.SubmitMs, null);
            if (run.State is RunState.Failed or RunState.Cancelled) return new OrdinaryRun(submitted.Phase, null, submitted.SubmitMs, $"run {run.Id} ended {run.State} unplaced");
            if (DateTime.UtcNow > deadline) return new OrdinaryRun(submitted.Phase, null, submitted.SubmitMs, $"run {run.Id} still unplaced ({run.State}) at the deadline");
            await Task.Delay(100, cancellationToken);
        }
    }

    private sealed record Submitted(string RunId, string Phase, double SubmitMs);
}

/// <summary>One ordinary run: the phase it was submitted in, its ready -> placed ms, the submit call's ms, or why it has no latency.</summary>
internal sealed record OrdinaryRun(string Phase, double? PlacedMs, double SubmitMs, string? Failure);
