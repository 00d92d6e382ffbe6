using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Scheduling.Admission;
using Orchestrator.Core.Tests.Pipelines;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>The peak concurrent GPU demand of a run (what whole-pipeline admission reserves): the heaviest set of steps
/// no two of which depend on each other, checked on named shapes, on a real plan, and against brute force on random
/// graphs.</summary>
public sealed class PeakGpuDemandTests
{
    [Fact]
    public void Chain_PeaksAtItsHeaviestStep()
    {
        Assert.Equal(8, PeakGpuDemand.Of([2, 8, 4], [[], [0], [1]]));
    }

    [Fact]
    public void FanOutThenJoin_PeaksAtTheWholeFanOut_UnlessTheJoinIsHeavier()
    {
        // a -> {b, c, d} -> e
        IReadOnlyList<IReadOnlyList<int>> graph = [[], [0], [0], [0], [1, 2, 3]];
        Assert.Equal(6, PeakGpuDemand.Of([0, 2, 2, 2, 4], graph));
        Assert.Equal(7, PeakGpuDemand.Of([0, 2, 2, 2, 7], graph));
    }

    [Fact]
    public void IndependentBranches_OfDifferentDepths_CountTogether()
    {
        // a -> b -> c and d -> e: c can run beside d or e; the best pair is b (or c) with the heavier of d and e.
        Assert.Equal(5 + 4, PeakGpuDemand.Of([1, 5, 3, 4, 2], [[], [0], [1], [], [3]]));
    }

    [Fact]
    public void ThroughAStepWithoutGpus_DescendantsStayOrdered()
    {
        // a(4) -> b(0) -> c(4): a and c never overlap.
        Assert.Equal(4, PeakGpuDemand.Of([4, 0, 4], [[], [0], [1]]));
    }

    [Fact]
    public void PlannedRun_CountsEveryFanOutItem()
    {
        var plan = RunPlanner.Plan(PipelineValidator.Validate(Specs.TuneAndDeploy()), new Dictionary<string, string>());

        // Three training items of one H200 each may run together; nothing else in the pipeline asks for a GPU.
        Assert.Equal(3, plan.Steps.Count(s => s.Definition.Resources.Gpus == 1));
        Assert.Equal(3, PeakGpuDemand.Of(plan));
    }

    [Fact]
    public void PlannedRun_ExitHandlerRunsAfterEverything_SoItNeverAddsToTheFanOut()
    {
        var spec = Specs.TuneAndDeploy();
        var withGpus = spec with { ExitHandler = spec.ExitHandler! with { Resources = new ResourcesSpec { Gpus = 4 } } };

        var plan = RunPlanner.Plan(PipelineValidator.Validate(withGpus), new Dictionary<string, string>());

        Assert.Equal(4, PeakGpuDemand.Of(plan));
    }

    [Fact]
    public void PlannedRun_AGangHoldsEveryReplicasGpusAtOnce()
    {
        var spec = Specs.TuneAndDeploy();
        var withGang = spec with { ExitHandler = spec.ExitHandler! with { Resources = new ResourcesSpec { Gpus = 4, Replicas = 3 } } };

        var plan = RunPlanner.Plan(PipelineValidator.Validate(withGang), new Dictionary<string, string>());

        Assert.Equal(12, PeakGpuDemand.Of(plan));
    }

    [Fact]
    public void NegativeWeight_OrUnknownUpstream_IsRejectedNamingIt()
    {
        Assert.Contains("weights[1]", Assert.Throws<ArgumentOutOfRangeException>(() => PeakGpuDemand.Of([1, -1], [[], []])).Message, StringComparison.Ordinal);
        Assert.Contains("upstream[1] names node 7", Assert.Throws<ArgumentOutOfRangeException>(() => PeakGpuDemand.Of([1, 1], [[], [7]])).Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300, Replay = "(11400714819323198485,7046029254386353131)")]
    public Property RandomGraphs_MatchBruteForce() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var n = random.Next(1, 11);
        var weights = new long[n];
        var upstream = new IReadOnlyList<int>[n];
        for (var i = 0; i < n; i++)
        {
            weights[i] = random.Next(0, 3) == 0 ? 0 : random.Next(1, 9);
            upstream[i] = Enumerable.Range(0, i).Where(_ => random.NextDouble() < 0.3).ToArray();
        }

        return PeakGpuDemand.Of(weights, upstream) == BruteForce(weights, upstream);
    });

    [Fact]
    public void TenThousandStepChain_DoesNotOverflowTheStack()
    {
        var n = 10_000;
        var weights = Enumerable.Repeat(1L, n).ToArray();
        var upstream = Enumerable.Range(0, n).Select(i => (IReadOnlyList<int>)(i == 0 ? [] : [i - 1])).ToArray();
        Assert.Equal(1, PeakGpuDemand.Of(weights, upstream));
    }

    /// <summary>Every subset, kept when no member reaches another.</summary>
    private static long BruteForce(long[] weights, IReadOnlyList<int>[] upstream)
    {
        var n = weights.Length;
        var reaches = new bool[n, n];
        for (var i = 0; i < n; i++)
        {
            foreach (var u in upstream[i])
            {
                reaches[u, i] = true;
                for (var k = 0; k < n; k++) if (reaches[k, u]) reaches[k, i] = true;
            }
        }

        long best = 0;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            long sum = 0;
            var ok = true;
            for (var i = 0; i < n && ok; i++)
            {
                if ((mask & (1 << i)) == 0) continue;
                sum += weights[i];
                for (var j = 0; j < n && ok; j++) ok = (mask & (1 << j)) == 0 || !reaches[i, j];
            }

            if (ok) best = Math.Max(best, sum);
        }

        return best;
    }
}
