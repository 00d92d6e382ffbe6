using System.Globalization;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Models;

/// <summary>Checks a baseline profile: names, bin edges, shares and sample bounds, with field paths like
/// <c>profile.numeric.age.bin_edges[3]</c>.</summary>
/// <remarks>A list with many bad values reports the first one and how many there are, not one error per value.</remarks>
public static class ProfileValidator
{
    /// <summary>Adds every problem of <paramref name="profile"/> to <paramref name="errors"/>.</summary>
    public static void Check(BaselineProfile profile, List<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(errors);
        var features = profile.Numeric.Count + profile.Categorical.Count;
        if (features > ModelLimits.MaxFeatures)
            errors.Add(new("profile", $"describes {features} features; at most {ModelLimits.MaxFeatures}"));

        foreach (var (name, feature) in profile.Numeric.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var path = $"profile.numeric.{ModelVersionValidator.Clip(name)}";
            if (CheckName(name, path, errors)) CheckNumeric(feature, path, errors);
        }

        foreach (var (name, feature) in profile.Categorical.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var path = $"profile.categorical.{ModelVersionValidator.Clip(name)}";
            if (!CheckName(name, path, errors)) continue;
            if (profile.Numeric.ContainsKey(name))
            {
                errors.Add(new(path, $"'{name}' is also a numeric feature; describe it as numeric or as categorical, not both"));
                continue;
            }

            CheckCategorical(feature, path, errors);
        }
    }

    private static bool CheckName(string name, string path, List<ValidationError> errors)
    {
        if (ModelNames.IsKey(name)) return true;
        errors.Add(new(path, "is not a valid feature name: use 1-128 letters, digits, '_', '.', ':', '/' or '-', starting with a letter, digit or '_'"));
        return false;
    }

    private static void CheckNumeric(NumericFeatureProfile feature, string path, List<ValidationError> errors)
    {
        var edges = feature.BinEdges;
        if (edges.Count == 0)
            errors.Add(new($"{path}.bin_edges", "is empty: give at least one edge (e.g. the quartiles of the training data)"));
        else if (edges.Count > ModelLimits.MaxBinEdges)
            errors.Add(new($"{path}.bin_edges", $"has {edges.Count} edges; at most {ModelLimits.MaxBinEdges}"));
        else
            CheckEdges(edges, $"{path}.bin_edges", errors);

        var proportions = feature.Proportions;
        if (edges.Count > 0 && proportions.Count != edges.Count + 1)
        {
            errors.Add(new($"{path}.proportions", $"has {proportions.Count} values for {edges.Count} bin edges: give {edges.Count + 1}, one per bin " +
                "(below the first edge, between each pair of edges, above the last)"));
        }
        else if (edges.Count > 0)
        {
            CheckShares(proportions, $"{path}.proportions", errors);
        }

        if (feature.Sample.Count > ModelLimits.MaxSampleValues)
        {
            errors.Add(new($"{path}.sample", $"has {feature.Sample.Count} values; at most {ModelLimits.MaxSampleValues}: keep a random subset of the training data"));
            return;
        }

        var bad = FirstBad(feature.Sample, v => !double.IsFinite(v));
        if (bad.Index >= 0)
            errors.Add(new($"{path}.sample[{bad.Index}]", $"{Show(feature.Sample[bad.Index])} is not a finite number{More(bad.Count)}; leave such values out of the sample"));
    }

    private static void CheckEdges(IReadOnlyList<double> edges, string path, List<ValidationError> errors)
    {
        for (var i = 0; i < edges.Count; i++)
        {
            if (!double.IsFinite(edges[i]))
            {
                errors.Add(new($"{path}[{i}]", $"{Show(edges[i])} is not a finite number; the outer bins are open already, so give finite edges only"));
                return;
            }

            if (i > 0 && edges[i] <= edges[i - 1])
            {
                errors.Add(new($"{path}[{i}]", $"{Show(edges[i])} is not greater than the edge before it ({Show(edges[i - 1])}); edges must be strictly ascending (merge equal quantiles)"));
                return;
            }
        }
    }

    private static void CheckCategorical(CategoricalFeatureProfile feature, string path, List<ValidationError> errors)
    {
        if (feature.Count < 0) errors.Add(new($"{path}.count", $"{feature.Count} is negative; give the number of reference rows, or 0 when unknown"));
        var frequencies = feature.Frequencies;
        if (frequencies.Count == 0)
        {
            errors.Add(new($"{path}.frequencies", "is empty: give each category's share of the training data, e.g. {basic: 0.6, premium: 0.4}"));
            return;
        }

        if (frequencies.Count > ModelLimits.MaxCategories)
        {
            errors.Add(new($"{path}.frequencies", $"has {frequencies.Count} categories; at most {ModelLimits.MaxCategories}: group rare ones (e.g. as 'other')"));
            return;
        }

        foreach (var category in frequencies.Keys.Where(c => c.Length == 0 || c.Length > ModelLimits.MaxTextLength).Take(1))
        {
            errors.Add(new($"{path}.frequencies.{ModelVersionValidator.Clip(category)}",
                $"a category name is 1-{ModelLimits.MaxTextLength} characters; name an empty category e.g. 'unknown'"));
            return;
        }

        var ordered = frequencies.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        var bad = FirstBad(ordered.Select(f => f.Value).ToList(), v => !(v >= 0 && v <= 1));
        if (bad.Index >= 0)
        {
            var (category, value) = ordered[bad.Index];
            errors.Add(new($"{path}.frequencies.{ModelVersionValidator.Clip(category)}", $"{Show(value)} is not a share{More(bad.Count)}: give a number from 0 to 1"));
            return;
        }

        CheckSum(ordered.Select(f => f.Value), $"{path}.frequencies", errors);
    }

    private static void CheckShares(IReadOnlyList<double> shares, string path, List<ValidationError> errors)
    {
        var bad = FirstBad(shares, v => !(v >= 0 && v <= 1));
        if (bad.Index >= 0)
        {
            errors.Add(new($"{path}[{bad.Index}]", $"{Show(shares[bad.Index])} is not a share{More(bad.Count)}: give a number from 0 to 1"));
            return;
        }

        CheckSum(shares, path, errors);
    }

    private static void CheckSum(IEnumerable<double> shares, string path, List<ValidationError> errors)
    {
        var sum = shares.Sum();
        if (Math.Abs(sum - 1) > ModelLimits.ProportionTolerance)
            errors.Add(new(path, $"sum to {Show(sum)}; they must sum to 1 (within {Show(ModelLimits.ProportionTolerance)}): divide each by their sum"));
    }

    private static (int Index, int Count) FirstBad(IReadOnlyList<double> values, Func<double, bool> isBad)
    {
        var first = -1;
        var count = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (!isBad(values[i])) continue;
            if (first < 0) first = i;
            count++;
        }

        return (first, count);
    }

    private static string More(int count) => count > 1 ? $" (the first of {count} such values)" : "";

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
