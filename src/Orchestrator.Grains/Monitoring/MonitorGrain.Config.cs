using Orchestrator.Core.Monitoring;

namespace Orchestrator.Grains.Monitoring;

/// <summary>The monitor's configuration: window size and time, sample size, drift thresholds.</summary>
public sealed partial class MonitorGrain
{
    /// <summary>Fewest records a window may close at.</summary>
    public const int MinWindowRecords = 100;

    /// <summary>Most records a window may hold.</summary>
    public const int MaxWindowRecords = 10_000_000;

    /// <summary>Smallest and largest sample per numeric feature and window.</summary>
    public const int MinSampleSize = 50, MaxSampleSize = 100_000;

    /// <summary>Shortest and longest window in time.</summary>
    public static readonly TimeSpan MinWindowDuration = TimeSpan.FromMinutes(1), MaxWindowDuration = TimeSpan.FromDays(30);

    private MonitorSpec Spec => state.State.Spec ?? new MonitorSpec();

    /// <inheritdoc />
    public async Task<MonitorSpec> SetConfigAsync(MonitorSpec spec)
    {
        Check(spec);
        state.State.Spec = spec;
        await state.WriteStateAsync();
        if (_window is not null && _profile is not null) _window = new MonitorWindow(_profile, state.State.Task, spec, time.GetUtcNow());
        return spec;
    }

    /// <inheritdoc />
    public Task<MonitorSpec> GetConfigAsync() => Task.FromResult(Spec);

    /// <summary>Refuses a configuration out of bounds, naming the proto field.</summary>
    public static void Check(MonitorSpec spec)
    {
        if (spec.MaxRecords is < MinWindowRecords or > MaxWindowRecords)
            throw OrchestratorException.Invalid("config.window_records", $"is {spec.MaxRecords}; give {MinWindowRecords:N0} to {MaxWindowRecords:N0} records (0 for 10,000)");
        if (spec.WindowDuration < MinWindowDuration || spec.WindowDuration > MaxWindowDuration)
            throw OrchestratorException.Invalid("config.window_duration", $"is {Core.Pipelines.Durations.Format(spec.WindowDuration)}; give 1m to 30d (empty for 1h)");
        if (spec.SampleSize is < MinSampleSize or > MaxSampleSize)
            throw OrchestratorException.Invalid("config.sample_size", $"is {spec.SampleSize}; give {MinSampleSize} to {MaxSampleSize:N0} values (0 for 1,000)");
        if (spec.Thresholds?.Validate() is [var first, ..])
            throw OrchestratorException.Invalid("config.thresholds", first);
    }
}
