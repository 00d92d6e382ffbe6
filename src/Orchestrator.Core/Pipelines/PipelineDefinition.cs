namespace Orchestrator.Core.Pipelines;

/// <summary>A validated pipeline: names checked, references resolved, quantities and durations parsed, steps in topological order.</summary>
/// <param name="Spec">The spec it was validated from (kept to return it to users and to compute the digest).</param>
/// <param name="Digest">sha256 (hex) of the canonical form of <paramref name="Spec"/>: identical specs give identical digests.</param>
/// <param name="Parameters">Parameters in declaration order.</param>
/// <param name="Steps">Steps in a topological order (every step after its dependencies).</param>
/// <param name="ExitHandler">The exit handler, or null.</param>
/// <param name="CacheEnabled">Pipeline-level cache switch.</param>
public sealed record PipelineDefinition(
    PipelineSpec Spec,
    string Digest,
    IReadOnlyList<ParameterDefinition> Parameters,
    IReadOnlyList<StepDefinition> Steps,
    StepDefinition? ExitHandler,
    bool CacheEnabled)
{
    /// <summary>The pipeline's name.</summary>
    public string Name => Spec.Name;
}

/// <summary>A validated parameter.</summary>
/// <param name="Name">Name.</param>
/// <param name="Type">Declared type.</param>
/// <param name="Default">Canonical text of the default (see ParameterValues), or null when required.</param>
public sealed record ParameterDefinition(string Name, ParameterType Type, string? Default);

/// <summary>A validated step.</summary>
/// <param name="Name">Name, unique in the pipeline.</param>
/// <param name="Command">argv, each element a parsed template.</param>
/// <param name="Image">Container image, may be empty.</param>
/// <param name="Env">Environment templates.</param>
/// <param name="Inputs">Input templates by input name.</param>
/// <param name="Outputs">Declared output names.</param>
/// <param name="Resources">Parsed resource request.</param>
/// <param name="Retry">Parsed retry policy.</param>
/// <param name="Timeout">Per-attempt limit, or null for none.</param>
/// <param name="When">Parsed condition, or null for always.</param>
/// <param name="ForeachParameter">Name of the list parameter it fans out over, or null.</param>
/// <param name="DependsOn">Names of the steps it depends on (from inputs, when and after), sorted.</param>
/// <param name="CacheEnabled">Step-level cache switch (already combined with the pipeline's).</param>
/// <param name="IsExitHandler">True for the exit handler.</param>
/// <param name="Pools">Scheduling pools the step may use, in the order written; empty for the default pool.</param>
/// <param name="ExpectedDuration">How long an attempt is expected to run, or null when unknown.</param>
/// <param name="Replicas">Processes an attempt runs as one gang, each with <paramref name="Resources"/>: placed all at
/// once or not at all, possibly across nodes; 1 for an ordinary step.</param>
/// <param name="Register">For a register step, what it registers; null for a step that runs a process.</param>
public sealed record StepDefinition(
    string Name,
    IReadOnlyList<Template> Command,
    string Image,
    IReadOnlyDictionary<string, Template> Env,
    IReadOnlyDictionary<string, Template> Inputs,
    IReadOnlyList<string> Outputs,
    ResourceRequest Resources,
    RetryPolicy Retry,
    TimeSpan? Timeout,
    WhenExpression? When,
    string? ForeachParameter,
    IReadOnlyList<string> DependsOn,
    bool CacheEnabled,
    bool IsExitHandler,
    IReadOnlyList<string>? Pools = null,
    TimeSpan? ExpectedDuration = null,
    int Replicas = 1,
    RegisterDefinition? Register = null)
{
    /// <summary>An attempt runs as several processes placed together (a distributed job).</summary>
    public bool IsGang => Replicas > 1;

    /// <summary>The control plane executes it by registering a model version; no process runs.</summary>
    public bool IsRegister => Register is not null;

    /// <summary>The pools named by the step, or none (the default pool).</summary>
    public IReadOnlyList<string> Pools { get; init; } = Pools ?? [];
}

/// <summary>What a step needs from a node.</summary>
/// <param name="CpuMillis">CPU in thousandths of a core.</param>
/// <param name="MemoryBytes">Memory in bytes.</param>
/// <param name="Gpus">Whole GPUs.</param>
/// <param name="GpuModel">Required GPU model, or empty for any.</param>
public sealed record ResourceRequest(long CpuMillis, long MemoryBytes, int Gpus, string GpuModel)
{
    /// <summary>1 CPU, 512 MiB, no GPU.</summary>
    public static ResourceRequest Default { get; } = new(1000, 512L * 1024 * 1024, 0, "");
}

/// <summary>Retries with exponential backoff and a cap.</summary>
/// <param name="Limit">Retries after the first failed attempt.</param>
/// <param name="Backoff">Delay before the first retry.</param>
/// <param name="Factor">Multiplier per further retry.</param>
/// <param name="MaxBackoff">Cap on the delay.</param>
public sealed record RetryPolicy(int Limit, TimeSpan Backoff, double Factor, TimeSpan MaxBackoff)
{
    /// <summary>No retries; 1s doubling up to 5m if a limit is set later.</summary>
    public static RetryPolicy None { get; } = new(0, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(5));

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        if (retry < 1) return TimeSpan.Zero;
        var seconds = Backoff.TotalSeconds * Math.Pow(Factor, retry - 1);
        return seconds >= MaxBackoff.TotalSeconds || double.IsInfinity(seconds) ? MaxBackoff : TimeSpan.FromSeconds(seconds);
    }
}
