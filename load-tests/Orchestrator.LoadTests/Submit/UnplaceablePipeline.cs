using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Submit;

/// <summary>The pipeline the submit benchmark submits: one step that no node can take, so every run stays queued and
/// the benchmark measures the submit path alone (validate, index, definition and first events written durably,
/// step queued in the scheduler), not execution.</summary>
internal static class UnplaceablePipeline
{
    /// <summary>Pipeline name.</summary>
    public const string Name = "load-submit";

    /// <summary>A GPU model no node has, so the step stays queued even on a server with agents.</summary>
    public const string GpuModel = "load-test-no-such-gpu";

    /// <summary>The spec.</summary>
    public static PipelineSpec Spec()
    {
        var step = new StepSpec
        {
            Name = "queued",
            Resources = new Resources { Cpu = "1m", Memory = "1Mi", Gpus = 1, GpuModel = GpuModel },
        };
        step.Command.Add("true");
        var spec = new PipelineSpec { Name = Name, Description = "load-tests submit benchmark: its step is never placed" };
        spec.Steps.Add(step);
        return spec;
    }
}
