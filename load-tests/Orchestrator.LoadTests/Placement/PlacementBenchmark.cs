using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.V1;
using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Measurement;
using Orchestrator.LoadTests.Reporting;
using Orchestrator.LoadTests.Transitions;

namespace Orchestrator.LoadTests.Placement;

/// <summary>Ready -> placed latency of the live scheduler with many simulated nodes: agents in the driver register over
/// real gRPC, single-GPU steps arrive at a steady rate, and each step's latency is read from its run's own events.</summary>
internal sealed class PlacementBenchmark(ServerUnderTest server, PlacementSettings settings, TextWriter output)
{
    private const string PipelineName = "load-placement";
    private const int AgentsPerChannel = 90;
    private const int SubmitsInFlight = 64;
    private static readonly TimeSpan NodesReadyTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs the benchmark; 0 when every step was placed and finished in time.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // Agents spread over channels (each its own connections) so that no connection carries too many streams.
        var channels = LoadChannels.Open(server.Address, (settings.Nodes + AgentsPerChannel - 1) / AgentsPerChannel);
        var agents = new ConcurrentBag<FakeAgent>();
        try
        {
            var connect = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, settings.Nodes), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
                async (i, ct) => agents.Add(await FakeAgent.ConnectAsync(channels[i / AgentsPerChannel], ct, $"load-node-{i:D5}", settings.GpusPerNode)));
            var scheduling = new SchedulingService.SchedulingServiceClient(channels[0]);
            var pool = await WaitForPoolAsync(scheduling, cancellationToken);
            output.WriteLine($"{settings.Nodes} simulated nodes x {settings.GpusPerNode} GPUs registered and schedulable in pool {pool.Name} " +
                $"({pool.GpusTotal} GPUs) after {connect.Elapsed.TotalSeconds:F1} s; each answers an assignment at once with started + finished.");

            var runs = new RunService.RunServiceClient(channels[0]);
            await new PipelineService.PipelineServiceClient(channels[0]).CreatePipelineVersionAsync(
                new CreatePipelineVersionRequest { Tenant = settings.Tenant, Spec = Spec() }, cancellationToken: cancellationToken);
            output.WriteLine($"Pipeline {settings.Tenant}/{PipelineName}: one step, 1 GPU, command [true]; {settings.WarmUp} warm-up then {settings.Steps} measured runs " +
                $"at {settings.Rate}/s, cache off.");

            await SubmitAndFinishAsync(channels, settings.WarmUp, cancellationToken);
            var measuredFrom = Stopwatch.StartNew();
            var measured = await SubmitAndFinishAsync(channels, settings.Steps, cancellationToken);
            var report = Report(measured, measuredFrom.Elapsed, agents);
            return report;
        }
        finally
        {
            await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask()));
            foreach (var channel in channels) channel.Dispose();
        }
    }

    /// <summary>Submits <paramref name="count"/> runs at the configured rate, waits for each to finish, and returns the
    /// ready -> placed latency of each step in ms (null for a run that did not finish).</summary>
    private async Task<List<StepLatency>> SubmitAndFinishAsync(GrpcChannel[] channels, int count, CancellationToken cancellationToken)
    {
        if (count == 0) return [];
        var ids = new string[count];
        using var inFlight = new SemaphoreSlim(SubmitsInFlight);
        var submits = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            // Open loop: the i-th submit is due at i / rate seconds; the number in flight is bounded.
            var due = TimeSpan.FromSeconds((double)i / settings.Rate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
            await inFlight.WaitAsync(cancellationToken);
            var index = i;
            var runs = new RunService.RunServiceClient(channels[i % channels.Length]);
            submits.Add(Task.Run(async () =>
            {
                try
                {
                    var run = await runs.SubmitRunAsync(new SubmitRunRequest
                    {
                        Tenant = settings.Tenant, Pipeline = PipelineName, DisableCache = true, SubmittedBy = "load-tests",
                    }, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cancellationToken);
                    ids[index] = run.Id;
                }
                finally
                {
                    inFlight.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(submits);
        var deadline = DateTime.UtcNow + settings.Timeout;
        var results = new StepLatency[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await FinishedAsync(new RunService.RunServiceClient(channels[i % channels.Length]), ids[i], deadline, ct));
        return [.. results];
    }

    private static async Task<StepLatency> FinishedAsync(RunService.RunServiceClient runs, string runId, DateTime deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await runs.GetRunAsync(new GetRunRequest { RunId = runId }, cancellationToken: cancellationToken);
            if (run.State is RunState.Succeeded or RunState.Failed or RunState.Cancelled)
            {
                var ready = run.Events.FirstOrDefault(e => e.Type == "StepReady" && e.Attempt == 1);
                var placed = run.Events.FirstOrDefault(e => e.Type == "StepPlaced" && e.Attempt == 1);
                return ready is null || placed is null || run.State != RunState.Succeeded
                    ? new StepLatency(runId, null, null, $"ended {run.State}")
                    : new StepLatency(runId, (placed.Time.ToDateTimeOffset() - ready.Time.ToDateTimeOffset()).TotalMilliseconds, placed.Time.ToDateTimeOffset(), null);
            }

            if (DateTime.UtcNow > deadline) return new StepLatency(runId, null, null, $"still {run.State} at the deadline");
            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<PoolStatus> WaitForPoolAsync(SchedulingService.SchedulingServiceClient scheduling, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(NodesReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        PoolStatus? last = null;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var pools = await scheduling.ListPoolsAsync(new ListPoolsRequest(), cancellationToken: cancellationToken);
            last = pools.Pools.FirstOrDefault(p => p.Name == "default");
            if (last is not null && last.Nodes.Count == settings.Nodes && last.SchedulableNodes == settings.Nodes
                && last.GpusTotal == settings.Nodes * settings.GpusPerNode && last.GpusFree == last.GpusTotal) return last;
            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"the nodes were not all schedulable within {NodesReadyTimeout.TotalMinutes:0} min: pool default has " +
            (last is null ? "no status" : $"{last.Nodes.Count} nodes, {last.SchedulableNodes} schedulable, {last.GpusFree}/{last.GpusTotal} GPUs free"));
    }

    private int Report(List<StepLatency> measured, TimeSpan elapsed, IEnumerable<FakeAgent> agents)
    {
        var latencies = measured.Where(m => m.Ms is not null).Select(m => m.Ms!.Value).Order().ToList();
        var failed = measured.Where(m => m.Failure is not null).ToList();
        var placedTimes = measured.Where(m => m.PlacedAt is not null).Select(m => m.PlacedAt!.Value).Order().ToList();
        var span = placedTimes.Count > 1 ? (placedTimes[^1] - placedTimes[0]).TotalSeconds : 0;
        var placementsPerSecond = span > 0 ? (placedTimes.Count - 1) / span : 0;
        var lost = agents.Count(a => a.Lost.IsCancellationRequested);
        var p50 = Percentiles.Of(latencies, 0.50);
        var p99 = Percentiles.Of(latencies, 0.99);
        var max = latencies.Count == 0 ? 0 : latencies[^1];

        output.WriteLine();
        output.WriteLine($"ready -> placed over {latencies.Count} steps: p50 {p50:F2} ms  p99 {p99:F2} ms  max {max:F2} ms  (target p99 <= 20 ms: {(p99 <= 20 ? "met" : "NOT met")})");
        output.WriteLine($"placements/s {placementsPerSecond:F1} (offered {settings.Rate}/s); measured window {elapsed.TotalSeconds:F1} s; agents lost {lost}; steps not finished {failed.Count}");
        foreach (var f in failed.Take(5)) output.WriteLine($"  run {f.RunId}: {f.Failure}");
        output.WriteLine(JsonLine.Of(new
        {
            Benchmark = "placement", settings.Nodes, settings.GpusPerNode, settings.Steps, settings.WarmUp, settings.Rate,
            P50Ms = Math.Round(p50, 3), P99Ms = Math.Round(p99, 3), MaxMs = Math.Round(max, 3), PlacementsPerSecond = Math.Round(placementsPerSecond, 1),
            NotFinished = failed.Count, AgentsLost = lost, LoadAverage = MachineLoad.LoadAverage(), Configuration = BuildOutput.Configuration,
        }));
        return failed.Count == 0 && lost == 0 && latencies.Count > 0 ? 0 : 1;
    }

    private static PipelineSpec Spec()
    {
        var step = new StepSpec { Name = "work", Resources = new Resources { Cpu = "1m", Memory = "1Mi", Gpus = 1 } };
        step.Command.Add("true");
        var spec = new PipelineSpec { Name = PipelineName, Description = "load-tests placement benchmark: one single-GPU no-op step" };
        spec.Steps.Add(step);
        return spec;
    }

    /// <summary>One measured step: its latency in ms and when it was placed (server clock), or why it has none.</summary>
    private sealed record StepLatency(string RunId, double? Ms, DateTimeOffset? PlacedAt, string? Failure);
}
