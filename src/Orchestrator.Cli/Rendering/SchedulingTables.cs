using System.Globalization;

using Orchestrator.Contracts.V1;

using Spectre.Console;

namespace Orchestrator.Cli.Rendering;

/// <summary>Scheduling as tables: why steps wait, and the state of each pool.</summary>
internal static class SchedulingTables
{
    /// <summary>One row per reason a step waits (step, pool and position on its first row); a step that is not
    /// waiting for a node says what it is doing instead.</summary>
    public static Table Why(ExplainPendingResponse response)
    {
        var table = Tables.Create("STEP", "ATTEMPT", "STATE", "POOL", "AHEAD", "WHY");
        if (response.Admission is { } admission)
        {
            // The whole run waits for admission before any step is queued: that comes first.
            for (var i = 0; i < admission.Reasons.Count; i++)
            {
                var head = i == 0;
                Tables.AddRow(table, head ? "(run)" : "", "", head ? "waiting for admission" : "", head ? admission.Pool : "",
                    head ? admission.Position.ToString(CultureInfo.InvariantCulture) : "", Reason(admission.Reasons[i]));
            }
        }

        foreach (var step in response.Steps)
        {
            var state = step.State.ToLowerInvariant();
            var attempt = step.Attempt.ToString(CultureInfo.InvariantCulture);
            if (step.Pools.Count == 0)
            {
                Tables.AddRow(table, step.StepKey, attempt, state, "-", "-", NotWaitingForANode(step.State));
                continue;
            }

            var first = true;
            foreach (var pool in step.Pools)
            {
                var reasons = pool.Reasons.Count == 0 ? [new PendingReason { Message = "no reason holds now; it is placed on the next pass" }] : pool.Reasons.ToList();
                for (var i = 0; i < reasons.Count; i++)
                {
                    var head = i == 0;
                    Tables.AddRow(table, first ? step.StepKey : "", first ? attempt : "", first ? state : "", head ? pool.Pool : "",
                        head ? pool.Position.ToString(CultureInfo.InvariantCulture) : "", Reason(reasons[i]));
                    first = false;
                }
            }
        }

        return table;
    }

    /// <summary>Reserved GPUs, and runs waiting for admission in brackets when there are any.</summary>
    private static string Reserved(TenantUsage tenant) =>
        Number(tenant.ReservedGpus) + (tenant.WaitingAdmissions > 0 ? $" (+{tenant.WaitingAdmissions} waiting)" : "");

    /// <summary>One row per pool (nodes, GPUs, queue), then one indented row per tenant using it.</summary>
    public static Table Pools(ListPoolsResponse response)
    {
        var table = Tables.Create("POOL", "NODES", "GPUS FREE", "QUEUED", "RUNNING", "TENANT", "GPUS USED/QUOTA", "BORROWED", "RESERVED", "TENANT QUEUED");
        foreach (var pool in response.Pools)
        {
            var nodes = pool.SchedulableNodes == pool.Nodes.Count
                ? pool.Nodes.Count.ToString(CultureInfo.InvariantCulture)
                : $"{pool.Nodes.Count} ({pool.SchedulableNodes} schedulable)";
            Tables.AddRow(table, pool.Name, nodes, $"{pool.GpusFree}/{pool.GpusTotal}", Number(pool.Queued), Number(pool.Running), "", "", "", "", "");
            foreach (var tenant in pool.Tenants)
            {
                Tables.AddRow(table, "", "", "", "", "", tenant.Tenant, $"{tenant.Gpus}/{(tenant.QuotaGpus == 0 ? "-" : Number(tenant.QuotaGpus))}",
                    Number(tenant.BorrowedGpus), Reserved(tenant), Number(tenant.Queued));
            }
        }

        return table;
    }

    private static string Reason(PendingReason reason) => reason.Kind switch
    {
        PendingReasonKind.Quota => $"quota: {reason.Message}",
        PendingReasonKind.QueuedBehind => $"queued: {reason.Message}",
        PendingReasonKind.Capacity => $"capacity: {reason.Message}",
        PendingReasonKind.NeverFits => $"never fits: {reason.Message}",
        PendingReasonKind.Reservation => $"reservation: {reason.Message}",
        PendingReasonKind.AwaitingPreemption => $"preemption: {reason.Message}",
        PendingReasonKind.NotQueued => $"not queued: {reason.Message}",
        PendingReasonKind.NoNodes => $"no nodes: {reason.Message}",
        _ => reason.Message,
    };

    private static string NotWaitingForANode(string state) => state switch
    {
        "Waiting" => "not ready: waits for the steps it depends on",
        "Placed" => "placed on a node; starting",
        "Running" => "running",
        "Ready" => "ready; not in any pool's queue yet (it is queued on the next event)",
        _ => $"not waiting: it is {state.ToLowerInvariant()}",
    };

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
