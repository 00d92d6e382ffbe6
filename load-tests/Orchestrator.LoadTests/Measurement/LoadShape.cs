namespace Orchestrator.LoadTests.Measurement;

/// <summary>How one measured window of closed-loop load is driven.</summary>
/// <param name="Callers">Concurrent callers, each issuing its next call when the previous one returns.</param>
/// <param name="Channels">gRPC channels the callers are spread over (caller i uses channel i mod K).</param>
/// <param name="WarmUp">Load before the measurement starts (JIT, connections, caches), not counted.</param>
/// <param name="Duration">The measured time.</param>
/// <param name="MaxCalls">Most calls in the window, warm-up included: the window also ends when they are issued.</param>
/// <param name="CallTimeout">Deadline of each call; one that passes it counts as an error.</param>
internal sealed record LoadShape(int Callers, int Channels, TimeSpan WarmUp, TimeSpan Duration, long MaxCalls, TimeSpan CallTimeout);
