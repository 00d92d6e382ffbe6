using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Prometheus;

namespace Orchestrator.Grains.Metrics;

/// <summary>Every metric the grains export, in one place: names, units, labels. Documented in docs/metrics.md.</summary>
internal static class OrchestratorMetrics
{
    internal static readonly Counter RunsSubmitted = Prometheus.Metrics.CreateCounter(
        "orchestrator_runs_submitted_total", "Runs accepted.");

    internal static readonly Counter RunsFinished = Prometheus.Metrics.CreateCounter(
        "orchestrator_runs_finished_total", "Runs that reached a terminal state, by state.", "state");

    internal static readonly Gauge ActiveSteps = Prometheus.Metrics.CreateGauge(
        "orchestrator_steps", "Steps of loaded, unfinished runs by non-terminal state (waiting, ready, placed, running).", "state");

    internal static readonly Counter StepTransitions = Prometheus.Metrics.CreateCounter(
        "orchestrator_step_transitions_total", "Step state changes, by the state entered.", "state");

    internal static readonly Histogram StepDuration = Prometheus.Metrics.CreateHistogram(
        "orchestrator_step_duration_seconds", "Wall time of step attempts from process start to end, by outcome.",
        new HistogramConfiguration { LabelNames = ["outcome"], Buckets = Histogram.ExponentialBuckets(0.05, 2, 18) });

    internal static readonly Gauge QueueDepth = Prometheus.Metrics.CreateGauge(
        "orchestrator_scheduler_queue_depth", "Ready steps waiting for a node, by pool.", "pool");

    internal static readonly Counter Placements = Prometheus.Metrics.CreateCounter(
        "orchestrator_scheduler_placements_total", "Step attempts placed on a node, by pool.", "pool");

    internal static readonly Gauge TenantGpus = Prometheus.Metrics.CreateGauge(
        "orchestrator_scheduler_tenant_gpus", "GPUs of a pool held by a tenant's steps, its nominal quota, and how many of them are borrowed beyond it.",
        "pool", "tenant", "kind");
    internal static readonly Counter Preemptions = Prometheus.Metrics.CreateCounter(
        "orchestrator_scheduler_preemptions_total", "Running steps ordered to stop so that a waiting step can run, by cause.", "pool", "cause");
    internal static readonly Gauge NodeGpus = Prometheus.Metrics.CreateGauge(
        "orchestrator_node_gpus", "GPUs of a node by allocation state (allocated, free).", "node", "state");

    internal static readonly Gauge GpuUtilization = Prometheus.Metrics.CreateGauge(
        "orchestrator_gpu_utilization_ratio", "GPU utilization from the agent's last heartbeat, 0..1.", "node", "gpu");

    internal static readonly Gauge GpuMemoryUsed = Prometheus.Metrics.CreateGauge(
        "orchestrator_gpu_memory_used_bytes", "GPU memory in use from the agent's last heartbeat.", "node", "gpu");

    internal static readonly Counter RetrainingRuns = Prometheus.Metrics.CreateCounter(
        "orchestrator_retraining_runs_total", "Retraining runs by the tenant they ran for, what fired them (drift, performance, schedule, manual) and outcome (submitted, succeeded, failed, refused).",
        "tenant", "trigger", "outcome");

    internal static readonly Gauge RetrainingBudget = Prometheus.Metrics.CreateGauge(
        "orchestrator_retraining_budget", "Retraining runs holding the cluster-wide budget (running) and models waiting for it (waiting).", "state");

    internal static readonly Gauge RolloutChallengerPercent = Prometheus.Metrics.CreateGauge(
        "orchestrator_rollout_challenger_percent", "The challenger's share of a deployment's traffic while a rollout progresses (the series goes when it ends).",
        "tenant", "model", "deployment");

    internal static readonly Gauge ModelDriftScore = Prometheus.Metrics.CreateGauge(
        "orchestrator_model_drift_score", "A feature's drift statistic in the monitor's latest closed window (psi, js_distance, ks_statistic, ks_pvalue, wasserstein, chi2_statistic, chi2_pvalue).",
        "tenant", "model", "deployment", "feature", "statistic");

    internal static readonly Gauge ModelDatasetDrift = Prometheus.Metrics.CreateGauge(
        "orchestrator_model_dataset_drift", "1 when the monitor's latest closed window drifted as a dataset, else 0.", "tenant", "model", "deployment");

    internal static readonly Gauge ModelDriftedFeatureShare = Prometheus.Metrics.CreateGauge(
        "orchestrator_model_drifted_feature_share", "Share of features that drifted in the monitor's latest closed window, 0..1.", "tenant", "model", "deployment");

    internal static readonly Gauge ModelLiveMetric = Prometheus.Metrics.CreateGauge(
        "orchestrator_model_live_metric", "Live performance in the monitor's latest closed window, by serving version (\"all\": every prediction) and metric (accuracy, auc, mae, rmse).",
        "tenant", "model", "deployment", "version", "metric");

    internal static readonly Counter MonitorPredictions = Prometheus.Metrics.CreateCounter(
        "orchestrator_monitor_predictions_total", "Prediction records a monitor took.", "tenant", "model", "deployment");

    internal static readonly Counter MonitorWindowsClosed = Prometheus.Metrics.CreateCounter(
        "orchestrator_monitor_windows_closed_total", "Monitor windows closed with records in them.", "tenant", "model", "deployment");

    internal static string Label(StepState state) => state.ToString().ToLowerInvariant();
}

/// <summary>Run and step metrics, updated by run grains.</summary>
internal static class RunMetrics
{
    private static bool Counted(StepState s) => !s.IsTerminal();

    public static void Submitted() => OrchestratorMetrics.RunsSubmitted.Inc();

    public static void Finished(RunState state) => OrchestratorMetrics.RunsFinished.WithLabels(state.ToString().ToLowerInvariant()).Inc();

    public static void Loaded(RunMachine machine)
    {
        if (machine.IsTerminal) return;
        foreach (var s in machine.Steps.Where(s => Counted(s.State))) OrchestratorMetrics.ActiveSteps.WithLabels(OrchestratorMetrics.Label(s.State)).Inc();
    }

    public static void Unloaded(RunMachine machine)
    {
        if (machine.IsTerminal) return;
        foreach (var s in machine.Steps.Where(s => Counted(s.State))) OrchestratorMetrics.ActiveSteps.WithLabels(OrchestratorMetrics.Label(s.State)).Dec();
    }

    public static void Transition(StepState? before, StepRuntime? step, RunEvent e)
    {
        if (before is not { } from || step is null || from == step.State) return;
        var to = step.State;
        if (Counted(from)) OrchestratorMetrics.ActiveSteps.WithLabels(OrchestratorMetrics.Label(from)).Dec();
        if (Counted(to)) OrchestratorMetrics.ActiveSteps.WithLabels(OrchestratorMetrics.Label(to)).Inc();
        OrchestratorMetrics.StepTransitions.WithLabels(OrchestratorMetrics.Label(to)).Inc();
        if (from == StepState.Running && step.Attempts.Count > 0 && step.Attempts[^1].StartedAt is { } started)
        {
            var outcome = e.Type == RunEventType.StepSucceeded ? "succeeded" : e.Type == RunEventType.StepCancelled ? "cancelled" : "failed";
            OrchestratorMetrics.StepDuration.WithLabels(outcome).Observe(Math.Max(0, (e.Time - started).TotalSeconds));
        }
    }

}

/// <summary>Node metrics, updated by node grains.</summary>
internal static class NodeMetrics
{
    public static void Allocation(string node, int gpus, int allocated)
    {
        OrchestratorMetrics.NodeGpus.WithLabels(node, "allocated").Set(allocated);
        OrchestratorMetrics.NodeGpus.WithLabels(node, "free").Set(Math.Max(0, gpus - allocated));
    }

    public static void Utilization(string node, IEnumerable<GpuSampleInfo> samples)
    {
        foreach (var sample in samples)
        {
            var gpu = sample.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            OrchestratorMetrics.GpuUtilization.WithLabels(node, gpu).Set(sample.Utilization);
            OrchestratorMetrics.GpuMemoryUsed.WithLabels(node, gpu).Set(sample.MemoryUsedBytes);
        }
    }
}

/// <summary>Scheduler metrics.</summary>
internal static class SchedulerMetrics
{
    public static void QueueDepth(string pool, int depth) => OrchestratorMetrics.QueueDepth.WithLabels(pool).Set(depth);

    public static void Placed(string pool, int count)
    {
        if (count > 0) OrchestratorMetrics.Placements.WithLabels(pool).Inc(count);
    }

    public static void PoolUsage(Core.Scheduling.PoolUsage usage)
    {
        foreach (var tenant in usage.Tenants)
        {
            OrchestratorMetrics.TenantGpus.WithLabels(usage.Pool, tenant.Tenant, "used").Set(tenant.Gpus);
            OrchestratorMetrics.TenantGpus.WithLabels(usage.Pool, tenant.Tenant, "quota").Set(tenant.QuotaGpus);
            OrchestratorMetrics.TenantGpus.WithLabels(usage.Pool, tenant.Tenant, "borrowed").Set(tenant.BorrowedGpus);
        }
    }

    public static void Preempted(string pool, Core.Scheduling.PreemptionCause cause) =>
        OrchestratorMetrics.Preemptions.WithLabels(pool, cause.ToString().ToLowerInvariant()).Inc();
}
