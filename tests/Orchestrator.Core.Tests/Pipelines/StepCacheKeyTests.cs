using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies that a step's cache key is deterministic, ignores how a step runs, and changes with anything that changes what it computes.</summary>
public sealed class StepCacheKeyTests
{
    private static readonly StepOutput Data = new("dataset", new string('a', 64), 10, null);
    private static readonly StepOutput Part0 = new("part", new string('b', 64), 10, null);
    private static readonly StepOutput Part1 = new("part", new string('c', 64), 10, null);

    private static readonly ResolvedStep Baseline = new(
        "train[0]",
        ["python", "train.py", "--lr", "0.1"],
        "ghcr.io/acme/train:1",
        new Dictionary<string, string> { ["SEED"] = "42", ["MODE"] = "fast" },
        [new ResolvedInput("data", null, Data, null), new ResolvedInput("config", "rows=10", null, null), new ResolvedInput("parts", null, null, [Part0, Part1])],
        ["model", "auc"],
        new ResourceRequest(4000, 1L << 30, 1, "NVIDIA H200"),
        TimeSpan.FromHours(1),
        null);

    private static string Key(ResolvedStep step) => StepCacheKey.Compute(step);

    [Fact]
    public void Compute_SameStep_GivesTheSameLowercaseHexKey()
    {
        Assert.Equal(Key(Baseline), Key(Baseline with { }));
        Assert.Matches("^[0-9a-f]{64}$", Key(Baseline));
    }

    [Fact]
    public void Compute_EnvInputsAndOutputsInAnotherOrder_GiveTheSameKey()
    {
        var reordered = Baseline with
        {
            Env = Baseline.Env.Reverse().ToDictionary(),
            Inputs = Baseline.Inputs.Reverse().ToList(),
            Outputs = ["auc", "model"],
        };

        Assert.Equal(Key(Baseline), Key(reordered));
    }

    [Fact]
    public void Compute_HowTheStepRuns_DoesNotChangeTheKey()
    {
        var elsewhere = Baseline with
        {
            Key = "train[7]",
            Resources = new ResourceRequest(500, 1L << 20, 0, ""),
            Timeout = null,
            CacheKey = "anything",
        };

        Assert.Equal(Key(Baseline), Key(elsewhere));
    }

    public static TheoryData<string, ResolvedStep> Changes() => new()
    {
        { "an argument", Baseline with { Command = ["python", "train.py", "--lr", "0.01"] } },
        { "an extra argument", Baseline with { Command = [.. Baseline.Command, ""] } },
        { "the image", Baseline with { Image = "ghcr.io/acme/train:2" } },
        { "no image", Baseline with { Image = "" } },
        { "an env value", Baseline with { Env = new Dictionary<string, string> { ["SEED"] = "43", ["MODE"] = "fast" } } },
        { "an env name", Baseline with { Env = new Dictionary<string, string> { ["SEED2"] = "42", ["MODE"] = "fast" } } },
        { "an input value", Baseline with { Inputs = [Baseline.Inputs[0], new ResolvedInput("config", "rows=11", null, null), Baseline.Inputs[2]] } },
        { "an input name", Baseline with { Inputs = [Baseline.Inputs[0], new ResolvedInput("settings", "rows=10", null, null), Baseline.Inputs[2]] } },
        { "an artifact", Baseline with { Inputs = [new ResolvedInput("data", null, Data with { Digest = new string('d', 64) }, null), .. Baseline.Inputs.Skip(1)] } },
        { "collected order", Baseline with { Inputs = [.. Baseline.Inputs.Take(2), new ResolvedInput("parts", null, null, [Part1, Part0])] } },
        { "one fewer collected", Baseline with { Inputs = [.. Baseline.Inputs.Take(2), new ResolvedInput("parts", null, null, [Part0])] } },
        { "an input dropped", Baseline with { Inputs = Baseline.Inputs.Take(2).ToList() } },
        { "an output", Baseline with { Outputs = ["model"] } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Compute_ChangeToWhatTheStepComputes_ChangesTheKey(string change, ResolvedStep changed)
    {
        Assert.True(Key(Baseline) != Key(changed), $"changing {change} kept the key");
    }

    [Fact]
    public void Compute_SameCharactersSplitDifferently_GiveDifferentKeys()
    {
        var empty = new Dictionary<string, string>();

        Assert.NotEqual(
            StepCacheKey.Compute(["ab", "c"], "", empty, [], []),
            StepCacheKey.Compute(["a", "bc"], "", empty, [], []));
        Assert.NotEqual(
            StepCacheKey.Compute(["a"], "b", empty, [], []),
            StepCacheKey.Compute(["ab"], "", empty, [], []));
        Assert.NotEqual(
            StepCacheKey.Compute(["x"], "", new Dictionary<string, string> { ["AB"] = "C" }, [], []),
            StepCacheKey.Compute(["x"], "", new Dictionary<string, string> { ["A"] = "BC" }, [], []));
        Assert.NotEqual(
            StepCacheKey.Compute(["x"], "", empty, [], ["a", "b"]),
            StepCacheKey.Compute(["x"], "", empty, [], ["ab"]));
    }

    [Fact]
    public void Compute_ValueEqualToADigest_DiffersFromThatArtifact()
    {
        var empty = new Dictionary<string, string>();

        Assert.NotEqual(
            StepCacheKey.Compute(["x"], "", empty, [new ResolvedInput("in", Data.Digest, null, null)], []),
            StepCacheKey.Compute(["x"], "", empty, [new ResolvedInput("in", null, Data, null)], []));
        Assert.NotEqual(
            StepCacheKey.Compute(["x"], "", empty, [new ResolvedInput("in", null, Data, null)], []),
            StepCacheKey.Compute(["x"], "", empty, [new ResolvedInput("in", null, null, [Data])], []));
    }
}
