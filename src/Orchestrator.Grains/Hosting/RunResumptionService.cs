using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Storage;
using Orchestrator.Grains.Retraining;
using Orchestrator.Grains.Rollouts;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Scheduling;

namespace Orchestrator.Grains.Hosting;

/// <summary>After the silo starts, wakes the models with a retraining policy and resumes every unfinished run without any client touching it, then checks on them
/// periodically (a safety net behind the event-driven path: a lost message never strands a run for long).</summary>
public sealed partial class RunResumptionService(
    IGrainFactory grains,
    IRunIndex runIndex,
    IOptions<OrchestratorOptions> options,
    TimeProvider time,
    ILogger<RunResumptionService> logger) : BackgroundService
{
    /// <summary>Resumptions in flight at once.</summary>
    private const int Parallelism = 32;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The scheduler activates the known nodes, whose lease clocks start now: agents have one lease to come back.
        await grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool).GetStatusAsync();
        // Models with a retraining policy wake up too: their cron, cooldown and budget requests live in their timers.
        try
        {
            await grains.GetGrain<IRetrainingBudgetGrain>(RetrainingBudgetGrain.Key).SweepAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not wake the models with a retraining policy; they wake when next used");
        }

        // Progressing rollouts wake too: a step held by bake time alone advances without traffic.
        try
        {
            await grains.GetGrain<IRolloutDirectoryGrain>(RolloutDirectoryGrain.Key).WakeAllAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not wake the progressing rollouts; they wake at their next observation or call");
        }

        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var active = await runIndex.ListActiveAsync();
                if (first || active.Count > 0) LogSweep(active.Count, first);
                await Parallel.ForEachAsync(active, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stoppingToken },
                    async (runId, _) =>
                    {
                        try
                        {
                            await grains.GetGrain<IRunGrain>(runId).ResumeAsync();
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            logger.LogWarning(e, "Could not resume run {RunId}", runId);
                        }
                    });
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Run resumption sweep failed");
            }

            first = false;
            await Task.Delay(options.Value.ResumeSweepInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} unfinished run(s) (first sweep: {First})")]
    private partial void LogSweep(int count, bool first);
}
