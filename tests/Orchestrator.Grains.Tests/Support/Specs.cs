using Orchestrator.Core.Pipelines;

namespace Orchestrator.Grains.Tests.Support;

/// <summary>Builders for the pipeline specs the grain tests run.</summary>
public static class Specs
{
    /// <summary>A pipeline of <paramref name="steps"/>.</summary>
    public static PipelineSpec Pipeline(string name, params StepSpec[] steps) => new() { Name = name, Steps = steps };

    /// <summary>A CPU step running <c>python NAME.py --tag TAG</c> that writes each of <paramref name="outputs"/>.
    /// The tag keeps its cache key apart from other tests' steps of the same name.</summary>
    public static StepSpec Step(string name, string tag, params string[] outputs) => new()
    {
        Name = name,
        Command = ["python", $"{name}.py", "--tag", tag, .. outputs.SelectMany(o => new[] { $"--{o}", $"{{{{outputs.{o}}}}}" })],
        Outputs = outputs,
        Resources = new ResourcesSpec { Cpu = "500m", Memory = "1Gi" },
    };

    /// <summary>The step with <paramref name="gpus"/> GPUs of <paramref name="model"/>.</summary>
    public static StepSpec WithGpus(this StepSpec step, int gpus, string model) =>
        step with { Resources = step.Resources with { Gpus = gpus, GpuModel = model } };

    /// <summary>The step as a gang of <paramref name="replicas"/> processes, each with its resources.</summary>
    public static StepSpec WithReplicas(this StepSpec step, int replicas) =>
        step with { Resources = step.Resources with { Replicas = replicas } };

    /// <summary>The step with an input bound to <paramref name="template"/>, passed to the command as <c>--NAME path</c>.</summary>
    public static StepSpec WithInput(this StepSpec step, string name, string template) => step with
    {
        Inputs = new Dictionary<string, string>(step.Inputs) { [name] = template },
        Command = [.. step.Command, $"--{name}", $"{{{{inputs.{name}}}}}"],
    };

    /// <summary>The step running after <paramref name="steps"/>.</summary>
    public static StepSpec RunsAfter(this StepSpec step, params string[] steps) => step with { After = [.. step.After, .. steps] };

    /// <summary>The step with a retry policy.</summary>
    public static StepSpec WithRetry(this StepSpec step, int limit, string backoff = "10s", double factor = 2, string maxBackoff = "5m") =>
        step with { Retry = new RetrySpec { Limit = limit, Backoff = backoff, Factor = factor, MaxBackoff = maxBackoff } };
}
