using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Builders for pipeline specs used across the pipeline tests.</summary>
internal static class Specs
{
    public static StepSpec Step(string name, params string[] command) => new() { Name = name, Command = command };

    public static PipelineSpec Pipeline(params StepSpec[] steps) => new() { Name = "demo", Steps = steps };

    public static Dictionary<string, string> Map(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    public static ParameterSpec Parameter(string name, ParameterType type, string? defaultValue = null) =>
        new() { Name = name, Type = type, Default = defaultValue };

    /// <summary>Prepare data, train one model per learning rate, pick the best, deploy it if good enough, notify at the end.</summary>
    /// <remarks>Declared out of order on purpose: the validator must sort it.</remarks>
    public static PipelineSpec TuneAndDeploy() => new()
    {
        Name = "tune-and-deploy",
        Description = "Hyper-parameter sweep with a quality gate",
        Parameters =
        [
            Parameter("dataset", ParameterType.String, "s3://data/train.csv"),
            Parameter("learning_rates", ParameterType.List, "[0.1, 0.01, 0.001]"),
            Parameter("min_auc", ParameterType.Float, "0.80"),
            Parameter("epochs", ParameterType.Int, "3"),
        ],
        Steps =
        [
            new StepSpec
            {
                Name = "deploy",
                When = "{{steps.select.outputs.auc}} >= {{params.min_auc}}",
                Inputs = Map(("model", "{{steps.select.outputs.best}}")),
                Command = ["deploy", "--model", "{{ inputs.model }}", "--run", "{{run.id}}"],
            },
            new StepSpec
            {
                Name = "train",
                Foreach = "{{params.learning_rates}}",
                Inputs = Map(("data", "{{steps.prepare.outputs.dataset}}"), ("lr", "{{item}}")),
                Command = ["python", "train.py", "--data", "{{inputs.data}}", "--lr={{item}}", "--epochs", "{{params.epochs}}", "--out", "{{outputs.model}}", "--auc", "{{outputs.auc}}"],
                Env = Map(("SEED", "42"), ("DATASET", "{{params.dataset}}")),
                Outputs = ["model", "auc"],
                Resources = new ResourcesSpec { Cpu = "4", Memory = "16Gi", Gpus = 1, GpuModel = "NVIDIA H200" },
                Retry = new RetrySpec { Limit = 2, Backoff = "10s", Factor = 3, MaxBackoff = "2m" },
                Timeout = "1h30m",
            },
            new StepSpec
            {
                Name = "prepare",
                Command = ["python", "prepare.py", "--source", "{{params.dataset}}", "--out", "{{outputs.dataset}}"],
                Outputs = ["dataset"],
                Cache = false,
            },
            new StepSpec
            {
                Name = "select",
                Inputs = Map(("models", "{{steps.train.outputs.model}}"), ("scores", "{{steps.train.outputs.auc}}")),
                Command = ["python", "select.py", "--models", "{{inputs.models}}", "--scores", "{{inputs.scores}}", "--best", "{{outputs.best}}", "--auc", "{{outputs.auc}}"],
                Outputs = ["best", "auc"],
                After = ["prepare"],
            },
        ],
        ExitHandler = new StepSpec
        {
            Name = "notify",
            Command = ["notify", "--run", "{{run.id}}", "--status", "{{run.status}}"],
        },
    };

    /// <summary>Replaces the step at <paramref name="index"/>.</summary>
    public static PipelineSpec WithStep(this PipelineSpec spec, int index, Func<StepSpec, StepSpec> change)
    {
        var steps = spec.Steps.ToList();
        steps[index] = change(steps[index]);
        return spec with { Steps = steps };
    }
}
