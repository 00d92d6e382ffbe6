namespace Orchestrator.Core.Models;

/// <summary>Which versions a listing shows; every condition given must hold.</summary>
public sealed record ModelVersionFilter
{
    /// <summary>Tags the version must have with these values.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Only the version this alias points at, when set.</summary>
    public string? Alias { get; init; }

    /// <summary>Only versions trained by this run, when set.</summary>
    public string? RunId { get; init; }

    /// <summary>Metric thresholds.</summary>
    public IReadOnlyList<MetricFilter> Metrics { get; init; } = [];

    /// <summary>True when the version (with the aliases that point at it) passes every condition.</summary>
    public bool Matches(ModelVersionSpec spec, IReadOnlyCollection<string> aliases)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(aliases);
        if (Alias is not null && !aliases.Contains(Alias)) return false;
        if (RunId is not null && spec.Source.RunId != RunId) return false;
        foreach (var (key, value) in Tags)
        {
            if (!spec.Tags.TryGetValue(key, out var actual) || actual != value) return false;
        }

        return Metrics.All(m => m.Matches(spec.Metrics));
    }
}
