using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Monitoring;

/// <summary>Histograms binned at the source by the client, added into the window beside (or instead of) records.</summary>
public sealed partial class MonitorWindow
{
    /// <summary>The bin edges of every numeric feature, by name: a client that bins at the source counts its values into
    /// these (one more bin than edges: below the first, between neighbours, above the last; a value on an edge goes up).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> BinEdges => _numeric.ToDictionary(f => f.Name, f => f.Edges, StringComparer.Ordinal);

    /// <summary>Adds histograms a client binned at the source. They count into the window's bins and categories like
    /// records do (PSI, Jensen-Shannon and chi-squared read them); KS and Wasserstein read only the raw values of records.
    /// The batch counts as many records as its largest histogram. All are checked first, so a bad one applies none:
    /// a <see cref="ValidationException"/> names each bad field as <c>histograms[i].counts</c>.</summary>
    public WindowReport? AddHistograms(IReadOnlyList<FeatureHistogram> histograms, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        var errors = new List<ValidationError>();
        var targets = new object[histograms.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < histograms.Count; i++)
        {
            var histogram = histograms[i];
            var numeric = Array.Find(_numeric, f => f.Name == histogram.Feature);
            var categorical = Array.Find(_categorical, f => f.Name == histogram.Feature);
            if (numeric is null && categorical is null)
            {
                var known = string.Join(", ", _numeric.Select(f => f.Name).Concat(_categorical.Select(f => f.Name)));
                errors.Add(new ValidationError($"histograms[{i}].feature", $"'{histogram.Feature}' is not a feature of the baseline profile; use one of: {known}"));
                continue;
            }

            if (!seen.Add(histogram.Feature))
                errors.Add(new ValidationError($"histograms[{i}].feature", $"'{histogram.Feature}' has two histograms in this batch; add their counts into one"));
            if (numeric is not null)
            {
                targets[i] = numeric;
                if (histogram.Categories.Count > 0)
                    errors.Add(new ValidationError($"histograms[{i}].categories", $"'{histogram.Feature}' is numeric: give counts per bin, not per category"));
                if (histogram.Counts.Count != numeric.Edges.Count + 1)
                    errors.Add(new ValidationError($"histograms[{i}].counts", $"'{histogram.Feature}' has {numeric.Edges.Count + 1} bins ({numeric.Edges.Count} edges), not {histogram.Counts.Count}: count per bin of the edges GetDrift returns"));
                if (histogram.Counts.Any(c => c < 0))
                    errors.Add(new ValidationError($"histograms[{i}].counts", "counts cannot be negative"));
            }
            else
            {
                targets[i] = categorical!;
                if (histogram.Counts.Count > 0)
                    errors.Add(new ValidationError($"histograms[{i}].counts", $"'{histogram.Feature}' is categorical: give counts per category, not per bin"));
                if (histogram.Categories.Values.Any(c => c < 0))
                    errors.Add(new ValidationError($"histograms[{i}].categories", "counts cannot be negative"));
            }
        }

        if (errors.Count > 0) throw new ValidationException(errors);
        var closed = Tick(now);
        for (var i = 0; i < histograms.Count; i++)
        {
            if (targets[i] is NumericFeature numeric) numeric.AddCounts(histograms[i].Counts);
            else if (targets[i] is CategoricalFeature categorical)
            {
                foreach (var (category, count) in histograms[i].Categories.OrderBy(c => c.Key, StringComparer.Ordinal)) categorical.Add(category, count);
            }
        }

        Records += histograms.Count == 0 ? 0 : histograms.Max(h => h.Total);
        return Records >= _spec.MaxRecords ? Close(now) ?? closed : closed;
    }
}
