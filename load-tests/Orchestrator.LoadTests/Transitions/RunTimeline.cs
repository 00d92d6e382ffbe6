using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Transitions;

/// <summary>Where a run's time went, from its own events (server clock, seconds after RunSubmitted): when each kind of
/// step transition was last seen, and how long each tenth of the steps took to succeed. A transition whose cost
/// grows with the run shows as later tenths taking longer than earlier ones.</summary>
internal sealed class RunTimeline
{
    /// <summary>The step transition events counted, in lifecycle order.</summary>
    public static readonly string[] StepTransitions = ["StepReady", "StepPlaced", "StepStarted", "StepSucceeded"];

    private RunTimeline(IReadOnlyDictionary<string, int> counts, IReadOnlyDictionary<string, double> lastAt, double finishedAt, IReadOnlyList<double> succeededTenths, int failedAttempts)
    {
        FailedAttempts = failedAttempts;
        Counts = counts;
        LastAt = lastAt;
        FinishedAt = finishedAt;
        SucceededTenths = succeededTenths;
    }

    /// <summary>Step attempts that failed (none when all is well: then every step has one attempt).</summary>
    public int FailedAttempts { get; }

    /// <summary>Events per step transition type, first attempts only.</summary>
    public IReadOnlyDictionary<string, int> Counts { get; }

    /// <summary>Seconds after RunSubmitted of the last event of each step transition type.</summary>
    public IReadOnlyDictionary<string, double> LastAt { get; }

    /// <summary>Seconds after RunSubmitted of RunFinished.</summary>
    public double FinishedAt { get; }

    /// <summary>Seconds each successive tenth of the steps took to succeed (the first from the first success).</summary>
    public IReadOnlyList<double> SucceededTenths { get; }

    /// <summary>Step transitions seen in all.</summary>
    public int Transitions => Counts.Values.Sum();

    /// <summary>Reads the timeline from a run's event history (whole, or as far as it was read).</summary>
    public static RunTimeline Of(IReadOnlyList<RunEvent> events)
    {
        // A run given up before its first event was read has an empty history.
        var submitted = events.FirstOrDefault(e => e.Type == "RunSubmitted")?.Time.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
        double At(RunEvent e) => (e.Time.ToDateTimeOffset() - submitted).TotalSeconds;

        // Only first attempts: the transitions a run of N steps that all succeed makes. Retries (after a lost node)
        // are counted apart, so that a run given up after a loss does not count its retries as progress.
        var first = events.Where(e => e.Attempt == 1).ToList();
        var counts = StepTransitions.ToDictionary(t => t, t => first.Count(e => e.Type == t), StringComparer.Ordinal);
        var lastAt = StepTransitions.ToDictionary(t => t, t => first.Where(e => e.Type == t).Select(At).DefaultIfEmpty(0).Max(), StringComparer.Ordinal);
        var failedAttempts = events.Count(e => e.Type == "StepAttemptFailed");
        var finished = events.LastOrDefault(e => e.Type == "RunFinished") is { } f ? At(f) : 0;
        var succeeded = events.Where(e => e.Type == "StepSucceeded").Select(At).Order().ToArray();
        var tenths = new List<double>();
        if (succeeded.Length >= 10)
        {
            for (var k = 0; k < 10; k++)
            {
                var from = succeeded[k * succeeded.Length / 10];
                var to = succeeded[((k + 1) * succeeded.Length / 10) - 1];
                tenths.Add(to - from);
            }
        }

        return new RunTimeline(counts, lastAt, finished, tenths, failedAttempts);
    }
}
