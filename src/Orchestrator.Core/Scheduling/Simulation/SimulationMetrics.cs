namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>The figures of one simulation run.</summary>
/// <param name="Jobs">Jobs completed.</param>
/// <param name="AverageJctSeconds">Mean job completion time (completion - submission).</param>
/// <param name="MedianJctSeconds">Median JCT (linear interpolation between the two middle values).</param>
/// <param name="P99JctSeconds">99th percentile JCT (linear interpolation between closest ranks, as numpy's default).</param>
/// <param name="MakespanSeconds">Last completion minus first submission.</param>
/// <param name="AverageQueueSeconds">Mean of JCT minus run time.</param>
/// <param name="GpuUtilization">GPU-seconds held by jobs ÷ (cluster GPUs × makespan).</param>
/// <param name="JainFairness">Jain's index over tenants of each tenant's mean normalized performance (run time ÷ JCT);
/// 1 with one tenant.</param>
/// <param name="Tenants">Tenants with at least one job.</param>
/// <param name="Preemptions">Preemption orders carried out.</param>
public sealed record SimulationMetrics(
    int Jobs,
    double AverageJctSeconds,
    double MedianJctSeconds,
    double P99JctSeconds,
    double MakespanSeconds,
    double AverageQueueSeconds,
    double GpuUtilization,
    double JainFairness,
    int Tenants,
    int Preemptions)
{
    /// <summary>Computes the figures from the outcomes of every job on a cluster of <paramref name="clusterGpus"/> GPUs.</summary>
    public static SimulationMetrics From(IReadOnlyList<JobOutcome> outcomes, int clusterGpus)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clusterGpus, 1);
        if (outcomes.Count == 0) return new SimulationMetrics(0, 0, 0, 0, 0, 0, 0, 1, 0, 0);
        var jcts = outcomes.Select(o => o.JctSeconds).Order().ToArray();
        var makespan = outcomes.Max(o => o.Completed) - outcomes.Min(o => o.Submitted);
        var held = outcomes.Sum(o => o.HeldGpuSeconds);
        var perTenant = outcomes.GroupBy(o => o.Tenant, StringComparer.Ordinal)
            .Select(g => g.Average(NormalizedPerformance))
            .ToList();
        return new SimulationMetrics(
            outcomes.Count,
            jcts.Average(),
            Percentile(jcts, 0.5),
            Percentile(jcts, 0.99),
            makespan,
            outcomes.Average(o => o.QueueSeconds),
            makespan > 0 ? held / (clusterGpus * makespan) : 0,
            JainIndex(perTenant),
            perTenant.Count,
            outcomes.Sum(o => o.Preemptions));
    }

    /// <summary>Jain's fairness index (Σx)² ÷ (n·Σx²): 1 when all values are equal, 1/n when one has everything.
    /// 1 for no values or all zeros.</summary>
    public static double JainIndex(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return 1;
        var sum = values.Sum();
        var squares = values.Sum(v => v * v);
        return squares == 0 ? 1 : sum * sum / (values.Count * squares);
    }

    /// <summary>The value at quantile <paramref name="q"/> of ascending <paramref name="sorted"/>, interpolating linearly
    /// between the closest ranks (numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return 0;
        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (position - below));
    }

    /// <summary>A job's run time ÷ its JCT: 1 when it never waited, toward 0 the longer it waited.</summary>
    public static double NormalizedPerformance(JobOutcome outcome) =>
        outcome.JctSeconds <= 0 ? 1 : Math.Clamp(outcome.RunSeconds / outcome.JctSeconds, 0, 1);
}
