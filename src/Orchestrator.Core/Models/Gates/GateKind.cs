namespace Orchestrator.Core.Models.Gates;

/// <summary>What a validation gate checks.</summary>
public enum GateKind
{
    /// <summary>Not set: a gate without a kind is refused.</summary>
    Unspecified = 0,
    /// <summary>A metric against a fixed threshold, e.g. <c>auc&gt;=0.8</c>.</summary>
    MetricThreshold = 1,
    /// <summary>A metric better than the champion's by a margin.</summary>
    BeatChampion = 2,
    /// <summary>The largest difference of a metric between segments at most a gap (a fairness check).</summary>
    SegmentGap = 3,
    /// <summary>The artifact at most a size in bytes.</summary>
    MaxArtifactSize = 4,
}
