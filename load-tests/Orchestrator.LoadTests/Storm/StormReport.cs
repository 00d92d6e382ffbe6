using Orchestrator.Contracts.V1;
using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Measurement;
using Orchestrator.LoadTests.Reporting;

namespace Orchestrator.LoadTests.Storm;

/// <summary>Everything the storm measured, for the report.</summary>
/// <param name="Models">Per model: its window and retraining, as the server recorded them.</param>
/// <param name="RunsByModel">Retraining runs listed per <c>orch.retraining</c> label.</param>
/// <param name="Ordinary">Ordinary runs with their phase and latency.</param>
/// <param name="OrdinaryFailures">Ordinary submits that failed.</param>
/// <param name="DriftFailures">Drifted windows that were not taken.</param>
/// <param name="Sampler">The budget's samples.</param>
/// <param name="FinalBudget">The budget at the end.</param>
/// <param name="AllGranted">Every model was granted before the timeout.</param>
/// <param name="AllEnded">Every retraining run ended before the timeout.</param>
/// <param name="AgentsLost">Simulated agents whose stream broke.</param>
/// <param name="Setup">Time to enrol the models.</param>
internal sealed record StormResults(
    List<ModelOutcome> Models, Dictionary<string, int> RunsByModel, List<OrdinaryRun> Ordinary, List<string> OrdinaryFailures, List<string> DriftFailures,
    BudgetSampler Sampler, RetrainingBudget FinalBudget, bool AllGranted, bool AllEnded, int AgentsLost, TimeSpan Setup);

/// <summary>Prints the storm's figures and checks, and a JSON line; returns the exit code.</summary>
internal sealed class StormReport(StormSettings settings, TextWriter output)
{
    /// <summary>The issue's target for close -> submitted of the models within budget.</summary>
    public const double TargetP99Ms = 1_000;

    /// <summary>Prints; 0 when every check passed.</summary>
    public int Print(StormResults r)
    {
        var submitted = r.Models.Where(m => m.WindowEnd is not null && m.SubmittedAt is not null)
            .Select(m => (m.Model, Ms: (m.SubmittedAt!.Value - m.WindowEnd!.Value).TotalMilliseconds, At: m.SubmittedAt.Value, m.FinishedAt,
                ToTrigger: m.TriggeredAt is { } t ? (t - m.WindowEnd!.Value).TotalMilliseconds : double.NaN,
                ToSubmit: m.TriggeredAt is { } u ? (m.SubmittedAt!.Value - u).TotalMilliseconds : double.NaN)).OrderBy(m => m.At).ToList();
        // The budget grants the first `burst` at once (no more than max_concurrent); after that each start waits for the
        // rate or a run's end: that wait is the budget working, not latency.
        var immediateCount = Math.Min(settings.Burst, settings.MaxConcurrent);
        var immediate = submitted.Take(immediateCount).Select(m => m.Ms).Order().ToList();
        // Where the time of those goes: close -> trigger stored and audited; trigger -> budget granted and run submitted.
        var immediateToTrigger = submitted.Take(immediateCount).Select(m => m.ToTrigger).Where(double.IsFinite).Order().ToList();
        var immediateToSubmit = submitted.Take(immediateCount).Select(m => m.ToSubmit).Where(double.IsFinite).Order().ToList();
        var queued = submitted.Skip(immediateCount).Select(m => m.Ms).Order().ToList();
        var all = submitted.Select(m => m.Ms).Order().ToList();

        var duplicates = r.RunsByModel.Where(kv => kv.Value > 1).ToList();
        var modelsWithOneRun = r.Models.Count(m => r.RunsByModel.GetValueOrDefault(m.Model) == 1);
        var historyNotOne = r.Models.Count(m => m.Retrainings != 1);
        var notDrifted = r.Models.Count(m => m.Windows != 1 || !m.Drifted);
        var notSucceeded = r.Models.Count(m => m.Outcome != RetrainingOutcome.Succeeded);

        // Exact overlap of the runs' [submitted, ended] spans (server clock): each lies inside its hold of the budget.
        var overlap = MaxOverlap(submitted.Where(m => m.FinishedAt is not null).Select(m => (m.At, m.FinishedAt!.Value, r.Models.First(x => x.Model == m.Model).Tenant)).ToList());
        var startsPerMinute = MaxInWindow(submitted.Select(m => m.At).ToList(), TimeSpan.FromMinutes(1));
        var startsAllowed = (int)Math.Floor(settings.PerMinute) + settings.Burst;
        var spanSeconds = submitted.Count > 1 ? (submitted[^1].At - submitted[0].At).TotalSeconds : 0;

        var calm = Placed(r.Ordinary, "calm");
        var storm = Placed(r.Ordinary, "storm");
        var ordinaryFailed = r.Ordinary.Count(o => o.Failure is not null) + r.OrdinaryFailures.Count;
        var ratioP50 = Ratio(Percentiles.Of(storm, 0.5), Percentiles.Of(calm, 0.5));
        var ratioP99 = Ratio(Percentiles.Of(storm, 0.99), Percentiles.Of(calm, 0.99));

        var checks = new List<(string Check, bool Passed)>
        {
            ($"every model's storm window closed drifted ({r.Models.Count - notDrifted}/{r.Models.Count})", notDrifted == 0 && r.DriftFailures.Count == 0),
            ($"every model got exactly one retraining run ({modelsWithOneRun}/{r.Models.Count}; duplicates {duplicates.Count}; histories not of one {historyNotOne})",
                modelsWithOneRun == r.Models.Count && duplicates.Count == 0 && historyNotOne == 0),
            ($"every retraining run ended and released the budget (succeeded {r.Models.Count - notSucceeded}/{r.Models.Count}; granted at the end {r.FinalBudget.Granted.Count}, waiting {r.FinalBudget.Waiting.Count})",
                r.AllGranted && r.AllEnded && notSucceeded == 0),
            ($"budget: sampled holders <= max_concurrent ({r.Sampler.MaxGranted} <= {settings.MaxConcurrent}) and per tenant ({r.Sampler.MaxGrantedPerTenant} <= {settings.PerTenant})",
                r.Sampler.MaxGranted <= settings.MaxConcurrent && r.Sampler.MaxGrantedPerTenant <= settings.PerTenant),
            ($"budget: runs overlapping at once <= max_concurrent ({overlap.Total} <= {settings.MaxConcurrent}) and per tenant ({overlap.PerTenant} <= {settings.PerTenant})",
                overlap.Total <= settings.MaxConcurrent && overlap.PerTenant <= settings.PerTenant),
            ($"budget: starts in any minute <= per_minute + burst ({startsPerMinute} <= {startsAllowed})", startsPerMinute <= startsAllowed),
            ($"ordinary runs all placed ({r.Ordinary.Count - ordinaryFailed}/{r.Ordinary.Count + r.OrdinaryFailures.Count})", ordinaryFailed == 0),
            ($"simulated agents all connected (lost {r.AgentsLost})", r.AgentsLost == 0),
        };

        output.WriteLine();
        output.WriteLine($"window close -> retraining run submitted (server clock), {submitted.Count} of {r.Models.Count} models:");
        output.WriteLine($"  granted at once (first {immediateCount}): {Line(immediate)}  (target p99 <= {TargetP99Ms:0} ms: {(immediate.Count > 0 && Percentiles.Of(immediate, 0.99) <= TargetP99Ms ? "met" : "NOT met")})");
        output.WriteLine($"    of which close -> trigger audited: {Line(immediateToTrigger)}");
        output.WriteLine($"    and trigger audited -> submitted:  {Line(immediateToSubmit)}");
        output.WriteLine($"  queued by the budget ({queued.Count}):  {Line(queued)}");
        output.WriteLine($"  all:                          {Line(all)}");
        output.WriteLine($"  runs submitted over {spanSeconds:F1} s ({(spanSeconds > 0 ? (submitted.Count - 1) / spanSeconds * 60 : 0):F0}/min); budget samples {r.Sampler.Samples}, most waiting {r.Sampler.MaxWaiting}");
        output.WriteLine($"ordinary runs ready -> placed: calm {Line(calm)}; storm {Line(storm)}; storm/calm p50 {ratioP50:F2}x p99 {ratioP99:F2}x");
        foreach (var (check, passed) in checks) output.WriteLine($"  [{(passed ? "ok" : "FAILED")}] {check}");
        foreach (var failure in r.DriftFailures.Concat(r.OrdinaryFailures).Concat(r.Ordinary.Where(o => o.Failure is not null).Select(o => o.Failure!)).Take(5)) output.WriteLine($"  {failure}");
        foreach (var (model, count) in duplicates.Take(5)) output.WriteLine($"  duplicate: {model} has {count} retraining runs");

        output.WriteLine(JsonLine.Of(new
        {
            Benchmark = "storm", settings.Models, settings.Tenants, settings.MaxConcurrent, settings.PerTenant, settings.PerMinute, settings.Burst,
            RetrainSeconds = settings.RetrainSeconds.TotalSeconds, settings.OrdinaryRate, CalmSeconds = settings.CalmSeconds.TotalSeconds, SpreadSeconds = settings.StormSpread.TotalSeconds,
            SetupSeconds = Numbers.Round(r.Setup.TotalSeconds, 1),
            Immediate = Stats(immediate), ImmediateToTrigger = Stats(immediateToTrigger), ImmediateTriggerToSubmit = Stats(immediateToSubmit), Queued = Stats(queued), All = Stats(all), SubmittedSpanSeconds = Numbers.Round(spanSeconds, 1),
            ModelsWithOneRun = modelsWithOneRun, Duplicates = duplicates.Count, MaxGrantedSampled = r.Sampler.MaxGranted, MaxGrantedPerTenantSampled = r.Sampler.MaxGrantedPerTenant,
            MaxRunsOverlapping = overlap.Total, MaxRunsOverlappingPerTenant = overlap.PerTenant, MaxStartsInAMinute = startsPerMinute,
            OrdinaryCalm = Stats(calm), OrdinaryStorm = Stats(storm), StormCalmP50 = Numbers.Round(ratioP50), StormCalmP99 = Numbers.Round(ratioP99), OrdinaryFailed = ordinaryFailed,
            ChecksPassed = checks.All(c => c.Passed), LoadAverage = MachineLoad.LoadAverage(), Configuration = BuildOutput.Configuration,
        }));
        return checks.All(c => c.Passed) ? 0 : 1;
    }

    private static List<double> Placed(List<OrdinaryRun> runs, string phase) =>
        runs.Where(o => o.Phase == phase && o.PlacedMs is not null).Select(o => o.PlacedMs!.Value).Order().ToList();

    private static string Line(List<double> sorted) => sorted.Count == 0 ? "none" :
        $"n {sorted.Count} p50 {Percentiles.Of(sorted, 0.5):F1} ms p99 {Percentiles.Of(sorted, 0.99):F1} ms max {sorted[^1]:F1} ms";

    private static object Stats(List<double> sorted) => new
    {
        Count = sorted.Count, P50Ms = Numbers.Round(Percentiles.Of(sorted, 0.5)), P99Ms = Numbers.Round(Percentiles.Of(sorted, 0.99)),
        MaxMs = Numbers.Round(sorted.Count == 0 ? 0 : sorted[^1]),
    };

    private static double Ratio(double a, double b) => b > 0 ? a / b : 0;

    /// <summary>Most spans open at one instant, in all and per tenant (an end at the same instant as a start closes first).</summary>
    private static (int Total, int PerTenant) MaxOverlap(List<(DateTimeOffset Start, DateTimeOffset End, string Tenant)> spans)
    {
        var events = spans.SelectMany(s => new[] { (At: s.Start, Delta: 1, s.Tenant), (At: s.End, Delta: -1, s.Tenant) }).OrderBy(e => e.At).ThenBy(e => e.Delta);
        var open = 0;
        var max = 0;
        var byTenant = new Dictionary<string, int>(StringComparer.Ordinal);
        var maxTenant = 0;
        foreach (var (_, delta, tenant) in events)
        {
            open += delta;
            byTenant[tenant] = byTenant.GetValueOrDefault(tenant) + delta;
            max = Math.Max(max, open);
            maxTenant = Math.Max(maxTenant, byTenant[tenant]);
        }

        return (max, maxTenant);
    }

    /// <summary>Most instants within any span of <paramref name="window"/>.</summary>
    private static int MaxInWindow(List<DateTimeOffset> sorted, TimeSpan window)
    {
        var max = 0;
        for (int first = 0, last = 0; last < sorted.Count; last++)
        {
            while (sorted[last] - sorted[first] >= window) first++;
            max = Math.Max(max, last - first + 1);
        }

        return max;
    }
}
