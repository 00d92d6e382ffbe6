namespace Orchestrator.Core.Drift;

/// <summary>The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a) and the log-gamma function it
/// needs, to full double precision in the ranges a chi-squared test meets (Numerical Recipes' split: the power series
/// of P below x &lt; a + 1, Lentz's continued fraction of Q above it, as Cephes <c>igamc</c> does).</summary>
public static class IncompleteGamma
{
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;
    private const int MaxIterations = 100_000;

    // Stirling series coefficients B_{2k}/(2k(2k-1)) for k = 1..8.
    private static readonly double[] Stirling =
    [
        1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156, -3617.0 / 122400,
    ];

    /// <summary>Q(a, x), the chi-squared survival function being <c>Q(dof/2, statistic/2)</c>.</summary>
    public static double UpperRegularized(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x) || x < 0) throw new ArgumentOutOfRangeException(nameof(a), $"Q(a, x) needs a > 0 and x >= 0, got a={a}, x={x}");
        if (x == 0) return 1.0;
        if (double.IsPositiveInfinity(x)) return 0.0;
        var logPrefactor = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1) return 1.0 - (Math.Exp(logPrefactor) * LowerSeries(a, x));
        return Math.Exp(logPrefactor) * UpperContinuedFraction(a, x);
    }

    /// <summary>ln Γ(x) for x &gt; 0: Stirling's series, after shifting x up past 15 by the recurrence.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0)) throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0");
        var shift = 0.0;
        var product = 1.0;
        while (x < 15)
        {
            product *= x;
            x += 1;
            // Keep the product in range; fold it into the log sum before it could overflow.
            if (product > 1e280)
            {
                shift += Math.Log(product);
                product = 1.0;
            }
        }

        shift += Math.Log(product);
        var inverse = 1.0 / x;
        var inverseSquared = inverse * inverse;
        var series = 0.0;
        for (var k = Stirling.Length - 1; k >= 0; k--) series = (series * inverseSquared) + Stirling[k];
        return ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI)) + (series * inverse) - shift;
    }

    // Σ x^n / (a (a+1) ... (a+n)), so that P(a, x) = e^{-x} x^a / Γ(a) · this.
    private static double LowerSeries(double a, double x)
    {
        var term = 1.0 / a;
        var sum = term;
        var ap = a;
        for (var n = 0; n < MaxIterations; n++)
        {
            ap += 1;
            term *= x / ap;
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon) return sum;
        }

        throw new InvalidOperationException($"the incomplete gamma series did not converge for a={a}, x={x}");
    }

    // The continued fraction 1/(x+1-a- 1·(1-a)/(x+3-a- 2·(2-a)/(x+5-a- …))) by the modified Lentz method.
    private static double UpperContinuedFraction(double a, double x)
    {
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = b + (an / c);
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon) return h;
        }

        throw new InvalidOperationException($"the incomplete gamma continued fraction did not converge for a={a}, x={x}");
    }
}
