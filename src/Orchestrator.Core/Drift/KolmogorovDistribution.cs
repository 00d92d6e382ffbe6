namespace Orchestrator.Core.Drift;

/// <summary>The two-sided one-sample Kolmogorov-Smirnov distribution P(D_n ≥ x) (scipy's <c>kstwo.sf</c>), ported from
/// scipy 1.18 <c>scipy/stats/_ksstats.py</c> (<c>_kolmogn</c> and the methods it picks after Simard and L'Ecuyer 2011:
/// Ruben-Gambino, Durbin's matrix as Marsaglia-Tsang-Wang, Pomeranz, Pelz-Good, and 2·smirnov), region by region.</summary>
internal static class KolmogorovDistribution
{
    private const int Exponent128 = 128;
    private static readonly double Power128 = Math.ScaleB(1.0, Exponent128);
    private static readonly double PowerMinus128 = Math.ScaleB(1.0, -Exponent128);
    private const double MinLog = -708;
    private static readonly double Sqrt2Pi = Math.Sqrt(2 * Math.PI);
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    // B_{2j}/(2j)/(2j-1) for j = 8..1, highest degree first (numpy.polyval order), from _ksstats.py.
    private static readonly double[] StirlingCoefficients =
    [
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];

    /// <summary>P(D_n ≥ x), clipped to [0, 1].</summary>
    public static double Survival(int n, double x)
    {
        if (n <= 0) return double.NaN;
        if (x >= 1.0) return 0.0;
        if (x <= 0.0) return 1.0;
        var t = n * x;
        if (t <= 1.0)
        {
            // Ruben-Gambino: 1/2n <= x <= 1/n.
            if (t <= 0.5) return 1.0;
            double prob;
            if (n <= 140)
            {
                prob = 1.0;
                for (var i = 1; i <= n; i++) prob *= i * (1.0 / n) * ((2 * t) - 1);
            }
            else
            {
                prob = Math.Exp(LogFactorialOverPower(n) + (n * Math.Log((2 * t) - 1)));
            }

            return Clip(1.0 - prob);
        }

        if (t >= n - 1) return Clip(2 * Math.Pow(1.0 - x, n));
        if (x >= 0.5) return Clip(2 * SmirnovDistribution.Survival(n, x));

        var nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693) return Clip(1.0 - DurbinMatrixCdf(n, x));
            if (nxSquared <= 4) return Clip(1.0 - PomeranzCdf(n, x));
            return Clip(2 * SmirnovDistribution.Survival(n, x));
        }

        if (nxSquared >= 370.0) return 0.0;
        if (nxSquared >= 2.2) return Clip(2 * SmirnovDistribution.Survival(n, x));
        var cdf = n <= 100_000 && n * Math.Pow(x, 1.5) <= 1.4 ? DurbinMatrixCdf(n, x) : PelzGoodCdf(n, x);
        return Clip(1.0 - cdf);
    }

    private static double Clip(double p) => Math.Clamp(p, 0.0, 1.0);

    // log(n! / n^n) by Stirling's series with n·log(n) removed up front (no cancellation).
    private static double LogFactorialOverPower(int n)
    {
        var rn = 1.0 / n;
        var poly = 0.0;
        foreach (var c in StirlingCoefficients) poly = (poly * (rn / n)) + c;
        return (Math.Log(n) / 2) - n + (Log2Pi / 2) + (rn * poly);
    }

    /// <summary>P(D_n ≤ d) by Durbin's matrix algorithm as Marsaglia, Tsang and Wang (2003) compute it (_kolmogn_DMTW).</summary>
    internal static double DurbinMatrixCdf(int n, double d)
    {
        if (d >= 1.0) return 1.0;
        var nd = n * d;
        if (nd <= 0.5) return 0.0;
        var k = (int)Math.Ceiling(nd);
        var h = k - nd;
        var m = (2 * k) - 1;

        var hm = new double[m, m];
        var v = new double[m];
        var w = new double[m];
        var fac = 1.0;
        for (var j = 1; j <= m; j++)
        {
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * fac;
        }

        var tt = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tt) * fac;
        for (var i = 1; i < m; i++)
        {
            for (var r = i - 1; r < m; r++) hm[r, i] = w[r - (i - 1)];
        }

        for (var r = 0; r < m; r++) hm[r, 0] = v[r];
        for (var c = 0; c < m; c++) hm[m - 1, c] = v[m - 1 - c];

        var power = Identity(m);
        var nn = n;
        var exponent = 0;
        var hExponent = 0;
        while (nn > 0)
        {
            if (nn % 2 == 1)
            {
                power = Multiply(power, hm);
                exponent += hExponent;
            }

            hm = Multiply(hm, hm);
            hExponent *= 2;
            if (Math.Abs(hm[k - 1, k - 1]) > Power128)
            {
                Scale(hm, PowerMinus128);
                hExponent += Exponent128;
            }

            nn /= 2;
        }

        var p = power[k - 1, k - 1];
        for (var i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < PowerMinus128)
            {
                p *= Power128;
                exponent -= Exponent128;
            }
        }

        if (exponent != 0) p = Math.ScaleB(p, exponent);
        return Clip(p);
    }

    /// <summary>P(D_n ≤ x) by Pomeranz's recursion (1974), two rows at a time with rescaling (_kolmogn_Pomeranz).</summary>
    internal static double PomeranzCdf(int n, double x)
    {
        var t = n * x;
        var ll = (int)Math.Floor(t);
        var f = t - ll;
        var g = Math.Min(f, 1.0 - f);
        var ceilf = f > 0 ? 1 : 0;
        var roundf = f > 0.5 ? 1 : 0;
        var npwrs = 2 * (ll + 1);
        var gpower = new double[npwrs];
        var twogpower = new double[npwrs];
        var onem2gpower = new double[npwrs];
        gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
        var exponent = 0;
        double gOverN = g / n, twoGOverN = 2 * g / n, oneMinusTwoGOverN = (1 - (2 * g)) / n;
        for (var m = 1; m < npwrs; m++)
        {
            gpower[m] = gpower[m - 1] * gOverN / m;
            twogpower[m] = twogpower[m - 1] * twoGOverN / m;
            onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[npwrs];
        var v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0, v1s = 0;
        var (j1, j2) = PomeranzInterval(0, n, ll, ceilf, roundf);
        var conv = new double[2 * npwrs];
        for (var i = 1; i < (2 * n) + 2; i++)
        {
            var k1 = j1;
            (v0, v1) = (v1, v0);
            (v0s, v1s) = (v1s, v0s);
            Array.Clear(v1);
            (j1, j2) = PomeranzInterval(i, n, ll, ceilf, roundf);
            var pwrs = i == 1 || i == (2 * n) + 1 ? gpower : (i % 2 == 1 ? twogpower : onem2gpower);
            var ln2 = j2 - k1 + 1;
            if (ln2 > 0)
            {
                // numpy.convolve(V0[k1-V0s : k1-V0s+ln2], pwrs[:ln2]) in full, slices cut at the array end as numpy does.
                var segStart = k1 - v0s;
                var segLength = Math.Min(ln2, npwrs - segStart);
                var pwLength = Math.Min(ln2, npwrs);
                var convLength = segLength + pwLength - 1;
                if (conv.Length < convLength) conv = new double[convLength];
                Array.Clear(conv, 0, convLength);
                for (var a = 0; a < segLength; a++)
                {
                    var s = v0[segStart + a];
                    if (s == 0) continue;
                    for (var b = 0; b < pwLength; b++) conv[a + b] += s * pwrs[b];
                }

                var convStart = j1 - k1;
                var convLen = j2 - j1 + 1;
                for (var c = 0; c < convLen; c++) v1[c] = conv[convStart + c];
                var max = v1.Max();
                if (max > 0 && max < PowerMinus128)
                {
                    for (var c = 0; c < v1.Length; c++) v1[c] *= Power128;
                    exponent -= Exponent128;
                }

                v1s = v0s + j1 - k1;
            }
        }

        var ans = v1[n - v1s];
        for (var m = 1; m <= n; m++)
        {
            if (Math.Abs(ans) > Power128)
            {
                ans *= PowerMinus128;
                exponent += Exponent128;
            }

            ans *= m;
        }

        if (exponent != 0) ans = Math.ScaleB(ans, exponent);
        return Clip(ans);
    }

    private static (int J1, int J2) PomeranzInterval(int i, int n, int ll, int ceilf, int roundf)
    {
        int j1, j2;
        if (i == 0)
        {
            (j1, j2) = (-ll - ceilf - 1, ll + ceilf - 1);
        }
        else
        {
            var ip1div2 = (i + 1) / 2;
            var ip1mod2 = (i + 1) % 2;
            if (ip1mod2 == 0)
            {
                (j1, j2) = ip1div2 == n + 1
                    ? (n - ll - ceilf - 1, n + ll + ceilf - 1)
                    : (ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1);
            }
            else
            {
                (j1, j2) = (ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1);
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    /// <summary>The Pelz-Good (1976) approximation to P(D_n ≤ x), for large n and moderate x (_kolmogn_PelzGood).</summary>
    internal static double PelzGoodCdf(int n, double x)
    {
        if (x <= 0.0) return 0.0;
        if (x >= 1.0) return 1.0;
        var z = Math.Sqrt(n) * x;
        double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
        var qlog = -Math.PI * Math.PI / 8 / z2;
        if (qlog < MinLog) return 0.0;
        var q = Math.Exp(qlog);
        const double pi2 = Math.PI * Math.PI;
        const double pi4 = pi2 * pi2;
        const double pi6 = pi4 * pi2;

        var k1a = -z2;
        var k1b = pi2 / 4;
        var k2a = (6 * z6) + (2 * z4);
        var k2b = ((2 * z4) - (5 * z2)) * pi2 / 4;
        var k2c = pi4 * (1 - (2 * z2)) / 16;
        var k3d = pi6 * (5 - (30 * z2)) / 64;
        var k3c = pi4 * ((-60 * z2) + (212 * z4)) / 16;
        var k3b = pi2 * ((135 * z4) - (96 * z6)) / 4;
        var k3a = (-30 * z6) - (90 * Math.Pow(z, 8));

        Span<double> k = stackalloc double[4];
        var maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (var kk = maxk; kk > 0; kk--)
        {
            double m = (2 * kk) - 1;
            double m2 = m * m, m4 = Math.Pow(m, 4), m6 = Math.Pow(m, 6);
            var qpower = Math.Pow(q, 8 * kk);
            k[0] = (k[0] * qpower) + 1.0;
            k[1] = (k[1] * qpower) + (k1a + (k1b * m2));
            k[2] = (k[2] * qpower) + (k2a + (k2b * m2) + (k2c * m4));
            k[3] = (k[3] * qpower) + (k3a + (k3b * m2) + (k3c * m4) + (k3d * m6));
        }

        k[0] = k[0] * q * Sqrt2Pi / z;
        k[1] = k[1] * q * Sqrt2Pi / (6 * z4);
        k[2] = k[2] * q * Sqrt2Pi / (72 * Math.Pow(z, 7));
        k[3] = k[3] * q * Sqrt2Pi / (6480 * Math.Pow(z, 10));

        // The sums over all integers k for the extra terms of K2 and K3.
        var q2 = Math.Exp(-pi2 / 2 / z2);
        var sqrt3z = Math.Sqrt(3) * z;
        double k2extra = 0, k3extra = 0;
        for (var kk = maxk; kk > 0; kk--)
        {
            double ks = kk;
            var ks2 = ks * ks;
            var qp = Math.Pow(q2, ks2);
            var kspi = Math.PI * ks;
            k2extra += ks2 * qp;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
        }

        k[2] += k2extra * pi2 * Sqrt2Pi / (-36 * z3);
        k[3] += k3extra * pi2 * Sqrt2Pi / (216 * z6);
        double sum = 0;
        for (var i = 0; i < 4; i++) sum += k[i] / Math.Pow(n, i / 2.0);
        return sum;
    }

    private static double[,] Identity(int m)
    {
        var identity = new double[m, m];
        for (var i = 0; i < m; i++) identity[i, i] = 1.0;
        return identity;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var m = a.GetLength(0);
        var product = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            for (var l = 0; l < m; l++)
            {
                var ail = a[i, l];
                if (ail == 0) continue;
                for (var j = 0; j < m; j++) product[i, j] += ail * b[l, j];
            }
        }

        return product;
    }

    private static void Scale(double[,] a, double factor)
    {
        var m = a.GetLength(0);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++) a[i, j] *= factor;
        }
    }
}
