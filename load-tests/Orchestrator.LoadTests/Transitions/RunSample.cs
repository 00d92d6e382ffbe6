namespace Orchestrator.LoadTests.Transitions;

/// <summary>One measured run.</summary>
/// <param name="Size">Steps in the run (the fan-out's N).</param>
/// <param name="RunId">The run.</param>
/// <param name="WallSeconds">From the submit call to the driver receiving RunFinished.</param>
/// <param name="SubmitSeconds">How long the SubmitRun call itself took.</param>
/// <param name="State">The run's final state.</param>
/// <param name="Timeline">Where the time went, from the run's events.</param>
/// <param name="SubmitAttempts">SubmitRun calls it took: more than one when the server did not answer in time.</param>
/// <param name="WatchRestarts">Times the watch was re-opened after the server dropped it.</param>
/// <param name="Failure">Why the run did not finish; null when it did (WallSeconds is then the time until it was given up).</param>
internal sealed record RunSample(int Size, string RunId, double WallSeconds, double SubmitSeconds, string State, RunTimeline Timeline,
    int SubmitAttempts, int WatchRestarts, string? Failure)
{
    /// <summary>Step transitions the run must have: N × 4.</summary>
    public long ExpectedTransitions => (long)Size * TransitionsSettings.TransitionsPerStep;

    /// <summary>True when the run reached RunFinished.</summary>
    public bool Finished => Failure is null;

    /// <summary>Wall time per step transition, in microseconds; for a run that did not finish, per transition seen
    /// until it was given up (what the transitions done so far cost).</summary>
    public double MicrosPerTransition => WallSeconds * 1e6 / (Finished ? ExpectedTransitions : Math.Max(1, Timeline.Transitions));
}
