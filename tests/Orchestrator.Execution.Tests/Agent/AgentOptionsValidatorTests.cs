using Microsoft.Extensions.Options;

using Orchestrator.Execution.Agent;

namespace Orchestrator.Execution.Tests.Agent;

/// <summary>Verifies that unusable agent options are refused with messages naming the option and the fix, and that
/// the defaults describe this machine.</summary>
public sealed class AgentOptionsValidatorTests
{
    private static AgentOptions Valid()
    {
        var options = new AgentOptions { NodeName = "gpu-node-1" };
        options.Gateways.Add("http://127.0.0.1:5000");
        return options;
    }

    [Fact]
    public void Validate_GoodOptions_Succeeds()
    {
        Assert.True(new AgentOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void Validate_NoGateway_SaysHowToGiveOne()
    {
        var options = Valid();
        options.Gateways.Clear();

        var error = Assert.Throws<OptionsValidationException>(() => AgentOptionsValidator.EnsureValid(options));

        Assert.Equal("Gateways: no gateway address; give at least one, e.g. --gateway http://control-plane:5000 (or ORCH_GATEWAY)", Assert.Single(error.Failures));
    }

    [Theory]
    [InlineData("GPU-Node")]
    [InlineData("node_1")]
    [InlineData("")]
    public void Validate_BadNodeName_NamesTheRule(string name)
    {
        var options = Valid();
        options.NodeName = name;

        var failure = Assert.Single(new AgentOptionsValidator().Validate(null, options).Failures!);

        Assert.Equal($"NodeName: \"{name}\" is not a node name: use 1-63 lowercase letters, digits, '-' or '.' (e.g. gpu-node-1)", failure);
    }

    [Fact]
    public void Validate_EveryProblemIsListed()
    {
        var options = Valid();
        options.Gateways[0] = "ftp://host";
        options.CpuMillis = 0;
        options.SimulatedGpus = -1;

        var failures = new AgentOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Gateways: \"ftp://host\" is not an http:// or https:// URL", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("CpuMillis:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SimulatedGpus:", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_DescribeThisMachine()
    {
        var options = new AgentOptions();

        Assert.Matches("^[a-z0-9.-]{1,63}$", options.NodeName);
        Assert.Equal(Environment.ProcessorCount * 1000L, options.CpuMillis);
        Assert.True(options.MemoryBytes > 0);
    }

    [Fact]
    public void ParseMemTotal_ReadsKibibytesAsBytes()
    {
        Assert.Equal(16_384_000L * 1024, HostFacts.ParseMemTotal("MemFree: 1 kB\nMemTotal:       16384000 kB\n"));
        Assert.Equal(0, HostFacts.ParseMemTotal("nothing here"));
    }
}
