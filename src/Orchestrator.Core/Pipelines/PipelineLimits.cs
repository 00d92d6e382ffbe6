namespace Orchestrator.Core.Pipelines;

/// <summary>The bounds a pipeline spec must stay within; the validator enforces them and names them in its messages.</summary>
public static class PipelineLimits
{
    /// <summary>Declared steps per pipeline (fan-out items are counted at planning, see <see cref="RunPlanner"/>).</summary>
    public const int MaxSteps = 10_000;

    /// <summary>Parameters per pipeline.</summary>
    public const int MaxParameters = 1_000;

    /// <summary>UTF-8 bytes in any one string of a spec.</summary>
    public const int MaxStringBytes = 64 * 1024;

    /// <summary>Elements of one step's command.</summary>
    public const int MaxCommandElements = 4_096;

    /// <summary>CPU of one step, in millicores (1024 cores).</summary>
    public const long MaxCpuMillis = 1024L * 1000;

    /// <summary>Memory of one step, in bytes (64Ti).</summary>
    public const long MaxMemoryBytes = 64L * 1024 * 1024 * 1024 * 1024;

    /// <summary>GPUs of one step.</summary>
    public const int MaxGpus = 64;

    /// <summary>Most replicas (processes of one gang) a step may ask for.</summary>
    public const int MaxReplicas = 256;

    /// <summary>Characters in a GPU model name.</summary>
    public const int MaxGpuModelLength = 128;

    /// <summary>Retries of one step.</summary>
    public const int MaxRetryLimit = 100;

    /// <summary>Largest backoff multiplier.</summary>
    public const double MaxRetryFactor = 10;

    /// <summary>Longest first backoff.</summary>
    public static TimeSpan MaxBackoff { get; } = TimeSpan.FromHours(24);

    /// <summary>Longest per-attempt timeout.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromDays(7);
}
