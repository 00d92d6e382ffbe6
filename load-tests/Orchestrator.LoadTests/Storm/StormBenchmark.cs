using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.V1;
using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Transitions;

namespace Orchestrator.LoadTests.Storm;

/// <summary>The retraining storm: many models close a drifted window within a minute; measures window close ->
/// retraining run submitted, checks one run per model and the budget's limits, and compares ordinary runs' placement
/// latency in a calm phase and during the storm.</summary>
internal sealed class StormBenchmark(ServerUnderTest server, StormSettings settings, TextWriter output)
{
    private const int Channels = 8;
    private const int Nodes = 4;
    private const int DriftsInFlight = 128;
    private static readonly TimeSpan NodesReadyTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    /// <summary>Runs the benchmark; 0 when every model got exactly one retraining run and the budget held.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var channels = LoadChannels.Open(server.Address, Channels);
        var agents = new List<FakeAgent>();
        try
        {
            // Retraining steps "run" for the configured time, so that runs hold the budget; ordinary steps end at once.
            Func<StepAssignment, TimeSpan> work = a => a.Step.StepKey.StartsWith(StormFleet.RetrainStep, StringComparison.Ordinal) ? settings.RetrainSeconds : TimeSpan.Zero;
            for (var i = 0; i < Nodes; i++) agents.Add(await FakeAgent.ConnectAsync(channels[i % Channels], cancellationToken, $"storm-node-{i}", 0, work));
            await WaitForNodesAsync(new SchedulingService.SchedulingServiceClient(channels[0]), cancellationToken);
            output.WriteLine($"{Nodes} simulated nodes connected; retraining steps run {settings.RetrainSeconds.TotalSeconds:0.#} s, ordinary steps end at once.");

            var setup = Stopwatch.StartNew();
            var fleet = new StormFleet(channels, settings);
            await fleet.CreateAsync(output, cancellationToken);
            var enrolled = setup.Elapsed;
            output.WriteLine($"{settings.Models} models over {settings.Tenants} tenants enrolled in {enrolled.TotalSeconds:F1} s (policy: drift_windows 1, pipeline retrain).");

            var retraining = new RetrainingService.RetrainingServiceClient(channels[0]);
            var grantedBefore = (await retraining.GetRetrainingBudgetAsync(new GetRetrainingBudgetRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken)).GrantedTotal;
            var sampler = new BudgetSampler(retraining);
            var ordinary = new OrdinaryLoad(channels, settings.Tenant, settings.OrdinaryRate);
            using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var stopOrdinary = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampling = sampler.RunAsync(stopSampling.Token);
            var ordinaryLoad = ordinary.RunAsync(stopOrdinary.Token);

            // The first seconds after enrolling 1,000 models are not calm (compaction, collections): not counted.
            ordinary.Phase = "warm-up";
            output.WriteLine($"Ordinary runs at {settings.OrdinaryRate}/s: {WarmUp.TotalSeconds:0} s warm-up, then a calm phase of {settings.CalmSeconds.TotalSeconds:0} s.");
            await Task.Delay(WarmUp, cancellationToken);
            ordinary.Phase = "calm";
            await Task.Delay(settings.CalmSeconds, cancellationToken);

            ordinary.Phase = "storm";
            output.WriteLine($"Storm: {settings.Models} models close a drifted window over {settings.StormSpread.TotalSeconds:0} s (one batch of histograms each, {StormFleet.WindowRecords:N0} records).");
            var storm = Stopwatch.StartNew();
            var driftFailures = await DriftAllAsync(fleet, cancellationToken);
            output.WriteLine($"  every window sent in {storm.Elapsed.TotalSeconds:F1} s ({driftFailures.Count} failed); waiting for the retraining runs to be submitted");

            var allGranted = await WaitAsync(async ct =>
                (await retraining.GetRetrainingBudgetAsync(new GetRetrainingBudgetRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct)).GrantedTotal - grantedBefore
                >= settings.Models - driftFailures.Count, settings.Timeout, cancellationToken);
            ordinary.Phase = "after";
            await stopOrdinary.CancelAsync();
            await ordinaryLoad;
            output.WriteLine($"  {(allGranted ? "all granted" : "NOT all granted")} {storm.Elapsed.TotalSeconds:F1} s after the storm began; ordinary load stopped; waiting for the retraining runs to end");

            var allEnded = await WaitAsync(async ct =>
            {
                var budget = await retraining.GetRetrainingBudgetAsync(new GetRetrainingBudgetRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
                return budget.Granted.Count == 0 && budget.Waiting.Count == 0;
            }, settings.Timeout, cancellationToken);
            await stopSampling.CancelAsync();
            await sampling;
            output.WriteLine($"  {(allEnded ? "every retraining run ended and released the budget" : "NOT every retraining run ended")} {storm.Elapsed.TotalSeconds:F1} s after the storm began; collecting");

            var models = await CollectModelsAsync(channels, cancellationToken);
            var runsByModel = await RetrainingRunsAsync(channels[0], cancellationToken);
            var ordinaryRuns = await ordinary.CollectAsync(TimeSpan.FromSeconds(60), cancellationToken);
            var finalBudget = await retraining.GetRetrainingBudgetAsync(new GetRetrainingBudgetRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
            var lost = agents.Count(a => a.Lost.IsCancellationRequested);
            return new StormReport(settings, output).Print(new StormResults(
                models, runsByModel, ordinaryRuns, [.. ordinary.Failures], driftFailures, sampler, finalBudget, allGranted, allEnded, lost, enrolled));
        }
        finally
        {
            await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask()));
            foreach (var channel in channels) channel.Dispose();
        }
    }

    /// <summary>Sends every model its drifted window, spread evenly over the storm's spread; returns the failures.</summary>
    private async Task<List<string>> DriftAllAsync(StormFleet fleet, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentQueue<string>();
        using var inFlight = new SemaphoreSlim(DriftsInFlight);
        var calls = new List<Task>(settings.Models);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < settings.Models; i++)
        {
            var due = settings.StormSpread * ((double)i / settings.Models) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
            await inFlight.WaitAsync(cancellationToken);
            var index = i;
            calls.Add(Task.Run(async () =>
            {
                try
                {
                    var closed = await fleet.DriftAsync(index, cancellationToken);
                    if (closed != 1) failures.Enqueue($"{settings.TenantOf(index)}/{StormSettings.ModelName(index)}: {closed} windows closed, expected 1");
                }
                catch (RpcException e)
                {
                    failures.Enqueue($"{settings.TenantOf(index)}/{StormSettings.ModelName(index)}: StreamPredictions {e.StatusCode}: {e.Status.Detail}");
                }
                finally
                {
                    inFlight.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(calls);
        return [.. failures];
    }

    /// <summary>Each model's closed windows and retraining history.</summary>
    private async Task<List<ModelOutcome>> CollectModelsAsync(GrpcChannel[] channels, CancellationToken cancellationToken)
    {
        var outcomes = new ModelOutcome[settings.Models];
        await Parallel.ForEachAsync(Enumerable.Range(0, settings.Models), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var channel = channels[i % channels.Length];
                var (tenant, name) = (settings.TenantOf(i), StormSettings.ModelName(i));
                var drift = await new MonitoringService.MonitoringServiceClient(channel).GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = name, Windows = 10 },
                    deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: ct);
                var status = await new RetrainingService.RetrainingServiceClient(channel).GetRetrainingStatusAsync(new GetRetrainingStatusRequest { Tenant = tenant, Name = name },
                    deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: ct);
                var audit = await new ModelService.ModelServiceClient(channel).GetAuditTrailAsync(new GetAuditTrailRequest { Tenant = tenant, Name = name, PageSize = 20 },
                    deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: ct);
                var window = drift.Windows.FirstOrDefault();
                var record = status.History.FirstOrDefault();
                // The trigger's audit entry (newest first: the drift trigger comes after the "policy set" entry).
                var triggered = audit.Entries.FirstOrDefault(e => e.Action == ModelAuditAction.RetrainingTriggered)?.At?.ToDateTimeOffset();
                outcomes[i] = new ModelOutcome(
                    $"{tenant}/{name}", tenant, drift.Windows.Count, window?.Drifted == true, window?.End?.ToDateTimeOffset(), triggered, status.History.Count,
                    record?.SubmittedAt?.ToDateTimeOffset(), record?.FinishedAt?.ToDateTimeOffset(), record?.RunId ?? "", record?.Outcome ?? RetrainingOutcome.Unspecified);
            });
        return [.. outcomes];
    }

    /// <summary>Retraining runs by the model their <c>orch.retraining</c> label names, listed from every storm tenant.</summary>
    private async Task<Dictionary<string, int>> RetrainingRunsAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        var runs = new RunService.RunServiceClient(channel);
        var byModel = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var tenant in Enumerable.Range(0, settings.Tenants).Select(settings.TenantOf))
        {
            var token = "";
            do
            {
                var page = await runs.ListRunsAsync(new ListRunsRequest { Tenant = tenant, Pipeline = StormFleet.RetrainPipeline, PageSize = 1000, PageToken = token },
                    deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cancellationToken);
                foreach (var run in page.Runs)
                {
                    var model = run.Labels.GetValueOrDefault("orch.retraining", "(no label)");
                    byModel[model] = byModel.GetValueOrDefault(model) + 1;
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);
        }

        return byModel;
    }

    private static async Task<bool> WaitAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (await condition(cancellationToken)) return true;
            if (Stopwatch.GetTimestamp() > deadline) return false;
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private async Task WaitForNodesAsync(SchedulingService.SchedulingServiceClient scheduling, CancellationToken cancellationToken)
    {
        var ready = await WaitAsync(async ct =>
        {
            var pools = await scheduling.ListPoolsAsync(new ListPoolsRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
            return pools.Pools.FirstOrDefault(p => p.Name == "default") is { } pool && pool.SchedulableNodes == Nodes;
        }, NodesReadyTimeout, cancellationToken);
        if (!ready) throw new TimeoutException($"the {Nodes} simulated nodes were not all schedulable within {NodesReadyTimeout.TotalMinutes:0} min");
    }
}

/// <summary>What the server says about one model after the storm.</summary>
/// <param name="Model">tenant/model.</param>
/// <param name="Tenant">Its tenant.</param>
/// <param name="Windows">Closed windows.</param>
/// <param name="Drifted">The newest window drifted.</param>
/// <param name="WindowEnd">When the newest window closed (server clock).</param>
/// <param name="TriggeredAt">When the model's audit trail recorded the retraining trigger (the retraining has stored it and asks the budget next).</param>
/// <param name="Retrainings">Retraining records in its history.</param>
/// <param name="SubmittedAt">When its newest retraining's run was submitted (server clock).</param>
/// <param name="FinishedAt">When that retraining learned its run ended.</param>
/// <param name="RunId">That run.</param>
/// <param name="Outcome">That retraining's outcome.</param>
internal sealed record ModelOutcome(
    string Model, string Tenant, int Windows, bool Drifted, DateTimeOffset? WindowEnd, DateTimeOffset? TriggeredAt, int Retrainings, DateTimeOffset? SubmittedAt, DateTimeOffset? FinishedAt,
    string RunId, RetrainingOutcome Outcome);
