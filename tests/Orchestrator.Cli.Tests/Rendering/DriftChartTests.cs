using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli.Tests.Rendering;

/// <summary>Verifies the PSI chart of <c>orch drift MODEL</c>: one bar per window scaled to the largest value (at least
/// the 0.2 threshold, so calm traffic stays low), and a gap where a feature had no values.</summary>
public sealed class DriftChartTests
{
    [Fact]
    public void Chart_ScalesToTheLargestValueOrTheThreshold_AndLeavesGaps()
    {
        Assert.Equal("▁▁▂█", DriftModelCommand.Chart([0.0, 0.01, 0.1, 0.7]));
        Assert.Equal("▁▅█", DriftModelCommand.Chart([0.0, 0.1, 0.2]));
        Assert.Equal("▁ ▂", DriftModelCommand.Chart([0.0, null, 0.03]));
    }
}
