using Microsoft.Extensions.Logging;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Admission;

namespace Orchestrator.Grains.Runs;

/// <summary>Whole-run admission: the run records that it asks for its peak GPUs, asks its pool's scheduler, queues no
/// step until admitted, and gives the reservation back when it ends.</summary>
public sealed partial class RunGrain
{
    /// <inheritdoc />
    public Task AdmittedAsync()
    {
        if (_machine is null || _broken || !_machine.AdmissionWaiting) return Task.CompletedTask;
        return Transact(() =>
        {
            if (Machine.OnAdmitted("scheduler", time.GetUtcNow()) is not { } admitted) return Task.CompletedTask;
            Stage([admitted]);
            return AdvanceAsync();
        });
    }

    /// <inheritdoc />
    public Task<RunAdmissionStatus> GetAdmissionAsync()
    {
        var machine = Machine;
        return Task.FromResult(new RunAdmissionStatus(_definition!.Admission, machine.AdmissionWaiting, machine.AdmissionPool, machine.AdmissionGpus ?? 0,
            machine.IsTerminal));
    }

    /// <summary>The pool and peak GPUs of a whole-run admission. One pool is what v1 admits in: a run whose GPU steps
    /// may use several pools is refused (INVALID_ARGUMENT naming <c>admission</c>).</summary>
    private static (string Pool, long Peak) AdmissionOf(RunPlan plan)
    {
        var pools = plan.Steps
            .Where(s => s.Definition.Resources.Gpus > 0)
            .SelectMany(s => s.Definition.Pools is { Count: > 0 } named ? named : [SchedulingConfig.DefaultPool])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (pools.Count > 1)
        {
            throw OrchestratorException.Invalid("admission",
                $"whole-run admission reserves GPUs in one pool, but this run's GPU steps may use pools {string.Join(", ", pools)}; give every GPU step the same single pool (resources.pools) or submit with stepwise admission");
        }

        return (pools.Count == 1 ? pools[0] : SchedulingConfig.DefaultPool, PeakGpuDemand.Of(plan));
    }

    /// <summary>Asks the scheduler to admit the run while it waits (after submit, a retry, or a restart: a repeat is
    /// answered with the current state); records the admission when granted at once.</summary>
    private async Task RequestAdmissionAsync()
    {
        if (_machine is not { AdmissionWaiting: true, IsTerminal: false } machine || machine.AdmissionPool is not { } pool) return;
        var peak = (int)Math.Min(int.MaxValue, machine.AdmissionGpus ?? 0);
        try
        {
            if (await Scheduler(pool).AdmitAsync(RunId, _definition!.Tenant, _definition.Priority, peak)) await AdmittedAsync();
        }
        catch (Exception ex) when (ex is not OrchestratorException)
        {
            // Asked again by the periodic sweep (ResumeAsync) and on activation.
            logger.LogWarning(ex, "Run {RunId}: could not ask pool {Pool} for admission; it will ask again", RunId, pool);
        }
    }

    /// <summary>When the run ends (any terminal state), its admission is withdrawn, admitted or still waiting.</summary>
    private void CollectAdmissionEffects(RunEvent e, List<Func<Task>> effects)
    {
        if (e.Type != RunEventType.RunFinished || Machine.AdmissionPool is not { } pool) return;
        effects.Add(() => Scheduler(pool).WithdrawAsync(RunId));
    }
}
