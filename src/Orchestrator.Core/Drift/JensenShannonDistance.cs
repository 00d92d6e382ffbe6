namespace Orchestrator.Core.Drift;

/// <summary>Jensen-Shannon distance in base 2 (the square root of the divergence, between 0 and 1), computed as
/// <c>scipy.spatial.distance.jensenshannon(p, q, base=2)</c>: both vectors normalized to sum 1, no floor.</summary>
public static class JensenShannonDistance
{
    /// <summary>The distance between two non-negative weight vectors over the same bins (each is normalized).</summary>
    public static double FromProportions(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        BinProportions.RequireSameLength(reference.Length, current.Length);
        var p = reference.Length <= BinProportions.StackLimit ? stackalloc double[reference.Length] : new double[reference.Length];
        var q = current.Length <= BinProportions.StackLimit ? stackalloc double[current.Length] : new double[current.Length];
        Normalize(reference, p, nameof(reference));
        Normalize(current, q, nameof(current));
        var divergence = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var m = (p[i] + q[i]) / 2.0;
            divergence += RelativeEntropy(p[i], m) + RelativeEntropy(q[i], m);
        }

        divergence /= Math.Log(2.0);
        // Rounding can leave a hair below zero for identical inputs; scipy's sqrt would give NaN there, zero is meant.
        return Math.Sqrt(Math.Max(divergence / 2.0, 0.0));
    }

    /// <summary>The distance between two count vectors over the same bins.</summary>
    public static double FromCounts(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        var r = reference.Length <= BinProportions.StackLimit ? stackalloc double[reference.Length] : new double[reference.Length];
        var c = current.Length <= BinProportions.StackLimit ? stackalloc double[current.Length] : new double[current.Length];
        BinProportions.FromCounts(reference, r);
        BinProportions.FromCounts(current, c);
        return FromProportions(r, c);
    }

    // scipy.special.rel_entr: x*log(x/y) for x, y > 0; 0 for x == 0 (m >= x/2 keeps y > 0 whenever x > 0).
    private static double RelativeEntropy(double x, double y) => x > 0 ? x * Math.Log(x / y) : 0.0;

    private static void Normalize(ReadOnlySpan<double> weights, Span<double> normalized, string name)
    {
        var sum = 0.0;
        foreach (var w in weights)
        {
            if (!(w >= 0) || double.IsInfinity(w)) throw new ArgumentException($"a weight is {w}; weights must be finite and non-negative", name);
            sum += w;
        }

        if (sum == 0) throw new ArgumentException("all weights are zero; a distribution needs some mass", name);
        for (var i = 0; i < weights.Length; i++) normalized[i] = weights[i] / sum;
    }
}
