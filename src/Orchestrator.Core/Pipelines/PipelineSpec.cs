namespace Orchestrator.Core.Pipelines;

/// <summary>A pipeline spec as a user wrote it: every value still text, exactly the fields of the proto message.</summary>
/// <remarks>Nothing here is trusted. PipelineValidator turns it into a <see cref="PipelineDefinition"/>.</remarks>
public sealed record PipelineSpec
{
    /// <summary>Pipeline name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Free text.</summary>
    public string Description { get; init; } = "";

    /// <summary>Typed parameters with optional defaults.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; init; } = [];

    /// <summary>The steps of the DAG.</summary>
    public IReadOnlyList<StepSpec> Steps { get; init; } = [];

    /// <summary>A step that runs after all others, whatever their outcome.</summary>
    public StepSpec? ExitHandler { get; init; }

    /// <summary>Step cache for the whole pipeline; on when null.</summary>
    public bool? Cache { get; init; }
}

/// <summary>The declared type of a parameter.</summary>
public enum ParameterType
{
    /// <summary>Any text.</summary>
    String,
    /// <summary>A 64-bit integer.</summary>
    Int,
    /// <summary>A double.</summary>
    Float,
    /// <summary>true or false.</summary>
    Bool,
    /// <summary>A JSON array of scalars; the only type a step can fan out over.</summary>
    List,
}

/// <summary>One parameter as written. <see cref="Default"/> is the value's text (a JSON array for lists), null when absent.</summary>
public sealed record ParameterSpec
{
    /// <summary>Parameter name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Declared type.</summary>
    public ParameterType Type { get; init; } = ParameterType.String;

    /// <summary>Default value as text, or null when the parameter is required.</summary>
    public string? Default { get; init; }

    /// <summary>Free text.</summary>
    public string Description { get; init; } = "";
}

/// <summary>One step as written.</summary>
public sealed record StepSpec
{
    /// <summary>Step name.</summary>
    public string Name { get; init; } = "";

    /// <summary>argv with templates.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Container image (Kubernetes executor only).</summary>
    public string Image { get; init; } = "";

    /// <summary>Environment variables with templates.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Named inputs: a template over parameters, an upstream output, or literal text.</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Names of the output files.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>Resource request as text quantities.</summary>
    public ResourcesSpec Resources { get; init; } = new();

    /// <summary>Retry policy as text.</summary>
    public RetrySpec Retry { get; init; } = new();

    /// <summary>Per-attempt time limit, e.g. "10m"; empty for none.</summary>
    public string Timeout { get; init; } = "";

    /// <summary>Condition, empty for always.</summary>
    public string When { get; init; } = "";

    /// <summary>Fan-out source, "{{params.NAME}}", empty for none.</summary>
    public string Foreach { get; init; } = "";

    /// <summary>Extra dependencies by step name.</summary>
    public IReadOnlyList<string> After { get; init; } = [];

    /// <summary>Step cache; on when null.</summary>
    public bool? Cache { get; init; }

    /// <summary>How long an attempt is expected to run, e.g. "90m"; empty when unknown (the scheduler uses history).</summary>
    public string ExpectedDuration { get; init; } = "";

    /// <summary>Set for a register step, which registers a model version instead of running a process; null otherwise.</summary>
    public RegisterSpec? Register { get; init; }
}

/// <summary>Resources as written: Kubernetes quantities for CPU and memory.</summary>
public sealed record ResourcesSpec
{
    /// <summary>CPU cores, e.g. "2" or "500m"; empty for the default (1).</summary>
    public string Cpu { get; init; } = "";

    /// <summary>Memory, e.g. "4Gi"; empty for the default (512Mi).</summary>
    public string Memory { get; init; } = "";

    /// <summary>Whole GPUs.</summary>
    public int Gpus { get; init; }

    /// <summary>Required GPU model; empty for any.</summary>
    public string GpuModel { get; init; } = "";

    /// <summary>Scheduling pools the step may use; empty for the default pool.</summary>
    public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>Processes of one attempt, each with the resources above, placed all at once (a gang); 0 or 1 for one.</summary>
    public int Replicas { get; init; }
}

/// <summary>Retry policy as written.</summary>
public sealed record RetrySpec
{
    /// <summary>Retries after the first failed attempt.</summary>
    public int Limit { get; init; }

    /// <summary>First delay, e.g. "1s"; empty for the default.</summary>
    public string Backoff { get; init; } = "";

    /// <summary>Multiplier per retry; 0 for the default (2).</summary>
    public double Factor { get; init; }

    /// <summary>Cap on the delay, e.g. "5m"; empty for the default.</summary>
    public string MaxBackoff { get; init; } = "";
}
