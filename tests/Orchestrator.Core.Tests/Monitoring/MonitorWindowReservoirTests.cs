using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;

namespace Orchestrator.Core.Tests.Monitoring;

/// <summary>Verifies that a window's reservoir stays a uniform sample of everything it saw once it is full (the values
/// KS and Wasserstein read): a stream sorted from low to high, many times the reservoir's size, must look like the
/// uniform baseline it was drawn from, by record and by column alike.</summary>
public sealed class MonitorWindowReservoirTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A feature uniform on [0, 1): deciles, and a 1,000-value sample.</summary>
    private static BaselineProfile Uniform() => new()
    {
        Numeric = new Dictionary<string, NumericFeatureProfile>
        {
            ["x"] = new()
            {
                BinEdges = [.. Enumerable.Range(1, 9).Select(d => d / 10.0)], Proportions = [.. Enumerable.Repeat(0.1, 10)],
                Sample = [.. Enumerable.Range(0, 1_000).Select(i => (i + 0.5) / 1_000)],
            },
        },
    };

    /// <summary>0 to 1 in ascending order: a reservoir that kept the first or the last values would be far off.</summary>
    private static double[] Ascending(int n) => [.. Enumerable.Range(0, n).Select(i => (i + 0.5) / n)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFullReservoir_KeepsAUniformSampleOfASortedStream(bool byColumn)
    {
        const int Records = 200_000;
        var values = Ascending(Records);
        var monitor = new MonitorWindow(Uniform(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: Records, SampleSize: 1_000), T0);
        WindowReport? report;
        if (byColumn)
        {
            report = monitor.AddColumns([values], T0);
        }
        else
        {
            report = null;
            foreach (var value in values) report ??= monitor.Add(new Dictionary<string, double> { ["x"] = value }, new Dictionary<string, string>(), T0);
        }

        var x = Assert.Single(report!.Scores);
        // A uniform sample of 1,000 against the uniform reference: KS about 0.03, far below the first or last values' 0.99.
        Assert.True(x.KolmogorovSmirnov!.Statistic < 0.07, $"KS {x.KolmogorovSmirnov.Statistic}: the reservoir is not uniform over the stream");
        Assert.True(x.Psi < 0.01, $"PSI {x.Psi}");
    }
}
