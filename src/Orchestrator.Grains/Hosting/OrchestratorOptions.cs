using Microsoft.Extensions.Options;

namespace Orchestrator.Grains.Hosting;

/// <summary>Settings of the control plane's grains (configuration section <c>Orchestrator</c>).</summary>
public sealed class OrchestratorOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Orchestrator";

    /// <summary>How often agents send a heartbeat. Default 2 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A node whose agent sends no heartbeat for this long is lost and its steps are retried elsewhere. Default 10 s.</summary>
    public TimeSpan NodeLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Grace between SIGTERM and SIGKILL when a step is cancelled. Default 10 s.</summary>
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most steps a run may have after fan-out. Default 10,000.</summary>
    public int MaxStepsPerRun { get; set; } = 10_000;

    /// <summary>How often every unfinished run is checked on, as a safety net behind the event-driven path. Default 60 s.</summary>
    public TimeSpan ResumeSweepInterval { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Checks <see cref="OrchestratorOptions"/> at start-up, with messages that name the setting.</summary>
public sealed class OrchestratorOptionsValidator : IValidateOptions<OrchestratorOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OrchestratorOptions options)
    {
        var errors = new List<string>();
        if (options.HeartbeatInterval <= TimeSpan.Zero) errors.Add("Orchestrator:HeartbeatInterval must be positive, e.g. 00:00:02.");
        if (options.NodeLease < options.HeartbeatInterval * 2)
            errors.Add($"Orchestrator:NodeLease ({options.NodeLease}) must be at least twice Orchestrator:HeartbeatInterval ({options.HeartbeatInterval}).");
        if (options.CancelGrace < TimeSpan.Zero) errors.Add("Orchestrator:CancelGrace must not be negative.");
        if (options.MaxStepsPerRun is < 1 or > 1_000_000) errors.Add("Orchestrator:MaxStepsPerRun must be between 1 and 1000000.");
        if (options.ResumeSweepInterval < TimeSpan.FromSeconds(1)) errors.Add("Orchestrator:ResumeSweepInterval must be at least 1 second.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
