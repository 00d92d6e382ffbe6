using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Kubernetes;

namespace Orchestrator.Execution.Tests.Kubernetes;

/// <summary>Verifies pod names and label values: always valid for Kubernetes, unique per attempt and replica, and
/// valid values kept as they are.</summary>
public sealed class PodNamesTests
{
    [Theory]
    [InlineData("train")]
    [InlineData("Train_Model.v2")]
    [InlineData("a/b c")]
    [InlineData("----")]
    [InlineData("a-very-long-step-key-that-goes-on-and-on-well-past-the-sixty-three-characters-a-name-may-have")]
    public void PodName_IsAValidDnsLabelForAnyStepKey(string stepKey)
    {
        var name = PodNames.PodName(new StepRef { RunId = "r", StepKey = stepKey, Attempt = 12, Replica = 3 });

        Assert.True(PodNames.IsDnsLabel(name), name);
        Assert.Contains("-12-r3-", name, StringComparison.Ordinal);
    }

    [Fact]
    public void PodName_DiffersForAnotherRunAttemptOrReplica()
    {
        var step = new StepRef { RunId = "run-1", StepKey = "train", Attempt = 1 };
        var names = new[]
        {
            step,
            new StepRef(step) { RunId = "run-2" },
            new StepRef(step) { Attempt = 2 },
            new StepRef(step) { Replica = 1 },
        }.Select(PodNames.PodName).ToList();

        Assert.Equal(4, names.Distinct().Count());
    }

    [Theory]
    [InlineData("run-20261128-abc", "run-20261128-abc")]
    [InlineData("", "")]
    [InlineData("train.v2_final", "train.v2_final")]
    public void LabelValue_KeepsAValidValue(string value, string expected) => Assert.Equal(expected, PodNames.LabelValue(value));

    [Theory]
    [InlineData("tenant/run 1")]
    [InlineData("-leading")]
    [InlineData("ü")]
    [InlineData("a-very-long-run-id-that-goes-on-and-on-well-past-the-sixty-three-characters-a-label-may-have")]
    public void LabelValue_CleansAnInvalidValue_KeepingItApartFromOthers(string value)
    {
        var label = PodNames.LabelValue(value);

        Assert.Matches("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", label);
        Assert.InRange(label.Length, 1, 63);
        Assert.NotEqual(label, PodNames.LabelValue(value + "x"));
    }
}
