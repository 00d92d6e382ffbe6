namespace Orchestrator.Core.Drift;

/// <summary>Population stability index: <c>sum((c - r) * ln(c / r))</c> over bins, with each proportion floored
/// first so that an empty bin gives a large but finite term.</summary>
public static class PopulationStabilityIndex
{
    /// <summary>The floor applied to each proportion before the logarithm, as in the reference fixtures.</summary>
    public const double DefaultFloor = 1e-4;

    /// <summary>PSI of two proportion vectors over the same bins.</summary>
    public static double FromProportions(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, double floor = DefaultFloor)
    {
        BinProportions.RequireSameLength(reference.Length, current.Length);
        if (!(floor > 0)) throw new ArgumentOutOfRangeException(nameof(floor), floor, "the floor must be positive");
        var psi = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            var r = Math.Max(reference[i], floor);
            var c = Math.Max(current[i], floor);
            psi += (c - r) * Math.Log(c / r);
        }

        return psi;
    }

    /// <summary>PSI of two count vectors over the same bins.</summary>
    public static double FromCounts(ReadOnlySpan<long> reference, ReadOnlySpan<long> current, double floor = DefaultFloor)
    {
        var r = reference.Length <= BinProportions.StackLimit ? stackalloc double[reference.Length] : new double[reference.Length];
        var c = current.Length <= BinProportions.StackLimit ? stackalloc double[current.Length] : new double[current.Length];
        BinProportions.FromCounts(reference, r);
        BinProportions.FromCounts(current, c);
        return FromProportions(r, c, floor);
    }
}
