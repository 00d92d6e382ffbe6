namespace Orchestrator.Core.Models;

/// <summary>One metric of two versions side by side.</summary>
/// <param name="Name">The metric.</param>
/// <param name="A">Its value in the first version, or null.</param>
/// <param name="B">Its value in the second version, or null.</param>
public sealed record MetricDifference(string Name, double? A, double? B)
{
    /// <summary><c>B - A</c> when both have it.</summary>
    public double? Delta => A is { } a && B is { } b ? b - a : null;
}

/// <summary>One parameter of two versions side by side.</summary>
/// <param name="Name">The parameter.</param>
/// <param name="A">Its value in the first version, or null.</param>
/// <param name="B">Its value in the second version, or null.</param>
public sealed record ParameterDifference(string Name, string? A, string? B)
{
    /// <summary>True when the values differ (or only one version has it).</summary>
    public bool Differs => !string.Equals(A, B, StringComparison.Ordinal);
}

/// <summary>Two versions' metrics and parameters side by side, each list ordered by name.</summary>
public sealed record ModelComparison
{
    /// <summary>Every metric of either version.</summary>
    public required IReadOnlyList<MetricDifference> Metrics { get; init; }

    /// <summary>Every parameter of either version.</summary>
    public required IReadOnlyList<ParameterDifference> Parameters { get; init; }

    /// <summary>True when the artifacts' digests differ.</summary>
    public required bool ArtifactDiffers { get; init; }

    /// <summary>True when the training data digests differ.</summary>
    public required bool TrainingDataDiffers { get; init; }

    /// <summary>Compares <paramref name="a"/> with <paramref name="b"/>.</summary>
    public static ModelComparison Of(ModelVersionSpec a, ModelVersionSpec b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new ModelComparison
        {
            Metrics = [.. Names(a.Metrics.Keys, b.Metrics.Keys).Select(n => new MetricDifference(n, Get(a.Metrics, n), Get(b.Metrics, n)))],
            Parameters = [.. Names(a.Parameters.Keys, b.Parameters.Keys).Select(n =>
                new ParameterDifference(n, a.Parameters.GetValueOrDefault(n), b.Parameters.GetValueOrDefault(n)))],
            ArtifactDiffers = a.Artifact.Digest != b.Artifact.Digest,
            TrainingDataDiffers = a.TrainingDataDigest != b.TrainingDataDigest,
        };
    }

    private static IEnumerable<string> Names(IEnumerable<string> a, IEnumerable<string> b) =>
        a.Union(b, StringComparer.Ordinal).Order(StringComparer.Ordinal);

    private static double? Get(IReadOnlyDictionary<string, double> metrics, string name) =>
        metrics.TryGetValue(name, out var value) ? value : null;
}
