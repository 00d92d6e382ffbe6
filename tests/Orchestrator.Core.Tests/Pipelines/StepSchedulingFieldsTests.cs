using Orchestrator.Core.Pipelines;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies the step fields the scheduler reads, <c>resources.pools</c> and <c>expected_duration</c>: what a
/// valid value becomes, and that a bad one is refused at its field path with what to change.</summary>
public sealed class StepSchedulingFieldsTests
{
    private static PipelineSpec WithStep(Func<StepSpec, StepSpec> change) => Pipeline(change(Step("train", "python", "train.py")));

    private static PipelineSpec WithPools(params string[] pools) => WithStep(s => s with { Resources = new ResourcesSpec { Gpus = 1, Pools = pools } });

    [Fact]
    public void Validate_PoolsAndExpectedDuration_AreParsedInTheOrderWritten()
    {
        var definition = PipelineValidator.Validate(WithStep(s => s with
        {
            Resources = new ResourcesSpec { Gpus = 8, Pools = ["h200", "a100-spot"] }, ExpectedDuration = "1h30m",
        }));

        var train = Assert.Single(definition.Steps);
        Assert.Equal(["h200", "a100-spot"], train.Pools);
        Assert.Equal(TimeSpan.FromMinutes(90), train.ExpectedDuration);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(4, 4)]
    [InlineData(256, 256)]
    public void Validate_Replicas_UnsetMeansOneProcess_AndAGangKeepsItsCount(int written, int replicas)
    {
        var train = Assert.Single(PipelineValidator.Validate(WithStep(s => s with { Resources = new ResourcesSpec { Gpus = 2, Replicas = written } })).Steps);

        Assert.Equal(replicas, train.Replicas);
        Assert.Equal(replicas > 1, train.IsGang);
        Assert.Equal(2, train.Resources.Gpus);
    }

    [Fact]
    public void Validate_NoPoolsAndNoExpectedDuration_MeanTheDefaultPoolAndUnknown()
    {
        var train = Assert.Single(PipelineValidator.Validate(WithStep(s => s)).Steps);

        Assert.Empty(train.Pools);
        Assert.Null(train.ExpectedDuration);
    }

    public static TheoryData<string, PipelineSpec, string, string> Rejections() => new()
    {
        { "uppercase pool", WithPools("H200"), "steps[0].resources.pools[0]", "is not a pool name: use lowercase letters" },
        { "empty pool", WithPools("h200", ""), "steps[0].resources.pools[1]", "is not a pool name" },
        { "pool with a space", WithPools("gpu pool"), "steps[0].resources.pools[0]", "(e.g. h200)" },
        { "pool ending in a dash", WithPools("h200-"), "steps[0].resources.pools[0]", "starting and ending with a letter or digit" },
        { "pool listed twice", WithPools("h200", "a100", "h200"), "steps[0].resources.pools[2]", "pool \"h200\" is listed twice: name each pool once" },
        { "expected duration without a unit", WithStep(s => s with { ExpectedDuration = "90" }), "steps[0].expected_duration", "write e.g." },
        { "zero expected duration", WithStep(s => s with { ExpectedDuration = "0s" }), "steps[0].expected_duration", "more than 0 and at most 7d" },
        { "expected duration over a week", WithStep(s => s with { ExpectedDuration = "8d" }), "steps[0].expected_duration", "leave it unset when unknown" },
        { "negative expected duration", WithStep(s => s with { ExpectedDuration = "-5m" }), "steps[0].expected_duration", "cannot be negative" },
        { "negative replicas", WithStep(s => s with { Resources = new ResourcesSpec { Gpus = 1, Replicas = -1 } }), "steps[0].resources.replicas", "replicas must be between 1 and 256, got -1" },
        { "too many replicas", WithStep(s => s with { Resources = new ResourcesSpec { Gpus = 1, Replicas = 257 } }), "steps[0].resources.replicas", "placed together as a gang" },
        { "null pool", WithPools([null!]), "steps[0].resources.pools[0]", "is null" },
        { "null pool list", WithStep(s => s with { Resources = new ResourcesSpec { Pools = null! } }), "steps[0].resources.pools", "is null" },
        { "null expected duration", WithStep(s => s with { ExpectedDuration = null! }), "steps[0].expected_duration", "is null" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Validate_BadPoolsOrExpectedDuration_AreRejectedAtTheFieldWithAFix(string description, PipelineSpec spec, string field, string message)
    {
        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        var only = Assert.Single(error.Errors);
        Assert.True(only.Field == field, $"{description}: expected field {field}, got {only}");
        Assert.Contains(message, only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExitHandlerFields_AreReportedUnderTheExitHandler()
    {
        var spec = Pipeline(Step("a", "true")) with
        {
            ExitHandler = Step("end", "true") with { Resources = new ResourcesSpec { Pools = ["Bad"] }, ExpectedDuration = "soon" },
        };

        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        Assert.Equal(["exit_handler.expected_duration", "exit_handler.resources.pools[0]"], error.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Digest_ChangesWithPoolsAndExpectedDuration_AndNotWhenTheyAreUnset()
    {
        var plain = PipelineValidator.Digest(WithStep(s => s));

        Assert.Equal(plain, PipelineValidator.Digest(WithStep(s => s with { Resources = new ResourcesSpec { Pools = [] }, ExpectedDuration = "" })));
        Assert.NotEqual(plain, PipelineValidator.Digest(WithPools("h200")));
        Assert.NotEqual(PipelineValidator.Digest(WithPools("h200", "a100")), PipelineValidator.Digest(WithPools("a100", "h200")));
        Assert.NotEqual(plain, PipelineValidator.Digest(WithStep(s => s with { ExpectedDuration = "1h" })));
    }
}
