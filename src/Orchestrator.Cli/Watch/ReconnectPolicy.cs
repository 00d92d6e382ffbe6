namespace Orchestrator.Cli.Watch;

/// <summary>How often and how patiently <c>run watch</c> reconnects after its event stream breaks.</summary>
/// <param name="MaxAttempts">Reconnects in a row without receiving an event before giving up.</param>
/// <param name="InitialDelay">Wait before the first reconnect; doubled for each further one.</param>
/// <param name="MaxDelay">Upper bound of the wait.</param>
internal sealed record ReconnectPolicy(int MaxAttempts, TimeSpan InitialDelay, TimeSpan MaxDelay)
{
    /// <summary>6 attempts, 0.25 s doubling to 5 s: rides out a server restart of about 10 s.</summary>
    public static ReconnectPolicy Default { get; } = new(6, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    /// <summary>The wait before reconnect number <paramref name="attempt"/> (from 1).</summary>
    public TimeSpan Delay(int attempt)
    {
        var delay = InitialDelay * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return delay > MaxDelay ? MaxDelay : delay;
    }
}
