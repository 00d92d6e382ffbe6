using System.Globalization;

namespace Orchestrator.Core.Models.Gates;

/// <summary>One check a model version must pass before promotion. Which fields count depends on <see cref="Kind"/>;
/// <see cref="GateValidator"/> checks them and fills in what was left to a default.</summary>
public sealed record ValidationGate
{
    /// <summary>A label for tables and messages; empty for one made from the gate itself.</summary>
    public string Name { get; init; } = "";

    /// <summary>What the gate checks.</summary>
    public GateKind Kind { get; init; }

    /// <summary><see cref="GateKind.MetricThreshold"/>: the condition, as <see cref="MetricFilter"/> reads it (<c>auc&gt;=0.8</c>).</summary>
    public string Expression { get; init; } = "";

    /// <summary><see cref="GateKind.BeatChampion"/> and <see cref="GateKind.SegmentGap"/>: the metric compared.</summary>
    public string Metric { get; init; } = "";

    /// <summary><see cref="GateKind.BeatChampion"/>: how much better than the champion, in the metric's own units (not negative).</summary>
    public double Margin { get; init; }

    /// <summary><see cref="GateKind.BeatChampion"/>: the metric's direction; null before validation means "from its name"
    /// (see <see cref="MetricDirection"/>), and a validated gate always has it.</summary>
    public bool? HigherIsBetter { get; init; }

    /// <summary><see cref="GateKind.SegmentGap"/>: the segments, each read from the metric <c>METRIC@SEGMENT</c> (e.g. <c>group=a</c>).</summary>
    public IReadOnlyList<string> Segments { get; init; } = [];

    /// <summary><see cref="GateKind.SegmentGap"/>: the largest allowed difference between the best and the worst segment.</summary>
    public double MaxGap { get; init; }

    /// <summary><see cref="GateKind.MaxArtifactSize"/>: the largest allowed artifact, in bytes.</summary>
    public long MaxBytes { get; init; }

    /// <summary>The name, or a description of the gate when it has none.</summary>
    public string DisplayName => Name.Length > 0 ? Name : Kind switch
    {
        GateKind.MetricThreshold => Expression,
        GateKind.BeatChampion => $"{Metric} beats champion by {Format(Margin)} ({(HigherIsBetter == false ? "lower" : "higher")} is better)",
        GateKind.SegmentGap => $"{Metric} gap across {string.Join(", ", Segments)} <= {Format(MaxGap)}",
        GateKind.MaxArtifactSize => $"artifact size <= {MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes",
        _ => "gate without a kind",
    };

    /// <summary>A number for a message: short, invariant.</summary>
    internal static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
