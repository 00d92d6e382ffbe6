namespace Orchestrator.Core.Drift;

/// <summary>Pearson's chi-squared test of independence on a 2×K table of counts.</summary>
/// <param name="Statistic">Σ (observed - expected)² / expected over the cells.</param>
/// <param name="PValue">The chi-squared survival function at the statistic.</param>
/// <param name="DegreesOfFreedom">K - 1, K counting only categories seen in either row.</param>
public sealed record ChiSquaredResult(double Statistic, double PValue, int DegreesOfFreedom);

/// <summary>Chi-squared on the 2×K contingency table of reference and current category counts, as
/// <c>scipy.stats.chi2_contingency(table, correction=False)</c> after dropping categories with zero total: expected
/// counts from the margins, no Yates correction (scipy applies it only at one degree of freedom; we never do, so the
/// statistic means the same at every K).</summary>
public static class ChiSquaredTest
{
    /// <summary>Tests whether the two rows of counts come from the same category distribution.</summary>
    /// <exception cref="ArgumentException">The rows differ in length, a count is negative, a row is all zeros, or fewer than two categories were seen.</exception>
    public static ChiSquaredResult Compute(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        BinProportions.RequireSameLength(reference.Length, current.Length);
        long referenceTotal = 0, currentTotal = 0;
        var categories = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            if (reference[i] < 0 || current[i] < 0) throw new ArgumentException($"category {i} has a negative count; counts cannot be negative");
            referenceTotal += reference[i];
            currentTotal += current[i];
            if (reference[i] + current[i] > 0) categories++;
        }

        if (referenceTotal == 0) throw new ArgumentException("the reference counts are all zero; the test needs observations in both rows", nameof(reference));
        if (currentTotal == 0) throw new ArgumentException("the current counts are all zero; the test needs observations in both rows", nameof(current));
        if (categories < 2) throw new ArgumentException("only one category has observations; the test needs at least two");

        double total = referenceTotal + currentTotal;
        var statistic = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            double column = reference[i] + current[i];
            if (column == 0) continue;
            statistic += Cell(reference[i], referenceTotal * column / total);
            statistic += Cell(current[i], currentTotal * column / total);
        }

        var dof = categories - 1;
        return new ChiSquaredResult(statistic, IncompleteGamma.UpperRegularized(dof / 2.0, statistic / 2.0), dof);
    }

    private static double Cell(double observed, double expected) => (observed - expected) * (observed - expected) / expected;
}
