using System.Security.Cryptography;
using System.Text;

using Orchestrator.Core.Pipelines;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies the canonical JSON of a spec and its digest: equal specs hash equal whatever the map order, any change changes it.</summary>
public sealed class PipelineDigestTests
{
    [Fact]
    public void Canonicalize_SortsKeysAndOmitsUnsetFields()
    {
        var spec = Pipeline(Step("a", "echo", "hi") with { Env = Map(("Z", "1"), ("A", "2")), Resources = new ResourcesSpec { Gpus = 1 } });

        Assert.Equal(
            """{"name":"demo","steps":[{"command":["echo","hi"],"env":{"A":"2","Z":"1"},"name":"a","resources":{"gpus":1}}]}""",
            PipelineValidator.Canonicalize(spec));
    }

    [Fact]
    public void Canonicalize_OneReplica_IsTheSamePipelineAsNoReplicas_AndAGangIsAnother()
    {
        var plain = Pipeline(Step("a", "true") with { Resources = new ResourcesSpec { Gpus = 1 } });
        var one = Pipeline(Step("a", "true") with { Resources = new ResourcesSpec { Gpus = 1, Replicas = 1 } });
        var gang = Pipeline(Step("a", "true") with { Resources = new ResourcesSpec { Gpus = 1, Replicas = 2 } });

        Assert.Equal(PipelineValidator.Canonicalize(plain), PipelineValidator.Canonicalize(one));
        Assert.Equal("""{"name":"demo","steps":[{"command":["true"],"name":"a","resources":{"gpus":1,"replicas":2}}]}""", PipelineValidator.Canonicalize(gang));
    }

    [Fact]
    public void Canonicalize_KeepsAnEmptyDefaultAndExplicitCacheSwitches()
    {
        var spec = Pipeline(Step("a", "true") with { Cache = false }) with
        {
            Cache = true,
            Parameters = [Parameter("tag", ParameterType.String, "")],
        };

        Assert.Equal(
            """{"cache":true,"name":"demo","parameters":[{"default":"","name":"tag","type":"string"}],"steps":[{"cache":false,"command":["true"],"name":"a"}]}""",
            PipelineValidator.Canonicalize(spec));
    }

    [Fact]
    public void Digest_IsTheLowercaseSha256OfTheCanonicalJson()
    {
        var spec = Specs.TuneAndDeploy();
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PipelineValidator.Canonicalize(spec))));

        var definition = PipelineValidator.Validate(spec);

        Assert.Equal(expected, definition.Digest);
        Assert.Matches("^[0-9a-f]{64}$", definition.Digest);
    }

    [Fact]
    public void Digest_MapsWrittenInAnotherOrder_GiveTheSameDigest()
    {
        var first = Specs.TuneAndDeploy();
        var second = first.WithStep(1, s => s with
        {
            Env = s.Env.Reverse().ToDictionary(),
            Inputs = s.Inputs.Reverse().ToDictionary(),
        });
        Assert.NotEqual(first.Steps[1].Env.Keys.First(), second.Steps[1].Env.Keys.First());

        Assert.Equal(PipelineValidator.Validate(first).Digest, PipelineValidator.Validate(second).Digest);
    }

    [Fact]
    public void Digest_IdenticalSpecsBuiltSeparately_GiveTheSameDigest()
    {
        Assert.Equal(PipelineValidator.Digest(Specs.TuneAndDeploy()), PipelineValidator.Digest(Specs.TuneAndDeploy()));
    }

    public static TheoryData<string, PipelineSpec> Changes()
    {
        var baseline = Specs.TuneAndDeploy();
        return new TheoryData<string, PipelineSpec>
        {
            { "name", baseline with { Name = "tune-and-deploy-2" } },
            { "description", baseline with { Description = "other" } },
            { "parameter default", baseline with { Parameters = [.. baseline.Parameters.Take(3), Parameter("epochs", ParameterType.Int, "4")] } },
            { "parameter type", baseline with { Parameters = [.. baseline.Parameters.Take(3), Parameter("epochs", ParameterType.String, "3")] } },
            { "command element", baseline.WithStep(2, s => s with { Command = [.. s.Command.Take(5), "other"] }) },
            { "command split differently", baseline.WithStep(2, s => s with { Command = ["python prepare.py", .. s.Command.Skip(2)] }) },
            { "env value", baseline.WithStep(1, s => s with { Env = Map(("SEED", "43"), ("DATASET", "{{params.dataset}}")) }) },
            { "cpu", baseline.WithStep(1, s => s with { Resources = s.Resources with { Cpu = "5" } }) },
            { "retry factor", baseline.WithStep(1, s => s with { Retry = s.Retry with { Factor = 2.5 } }) },
            { "step order", baseline with { Steps = [.. baseline.Steps.Reverse()] } },
            { "step cache", baseline.WithStep(0, s => s with { Cache = true }) },
            { "pipeline cache", baseline with { Cache = false } },
            { "exit handler removed", baseline with { ExitHandler = null } },
            { "image", baseline.WithStep(0, s => s with { Image = "ghcr.io/acme/deploy:1" }) },
        };
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void Digest_AnyChange_GivesADifferentDigest(string change, PipelineSpec changed)
    {
        var baseline = PipelineValidator.Digest(Specs.TuneAndDeploy());

        Assert.True(baseline != PipelineValidator.Digest(changed), $"changing the {change} kept the digest");
    }
}
