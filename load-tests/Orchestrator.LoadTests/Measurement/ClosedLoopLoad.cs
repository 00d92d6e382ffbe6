using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace Orchestrator.LoadTests.Measurement;

/// <summary>Closed-loop load: a fixed number of callers, each issuing its next call as soon as the previous one
/// returns, so the rate measured is what the server sustains at that concurrency.</summary>
internal static class ClosedLoopLoad
{
    private const int MaxErrorSamples = 5;

    /// <summary>Drives <paramref name="call"/> (given the caller's index and the call's deadline) for the warm-up and
    /// the measured time, or until <see cref="LoadShape.MaxCalls"/> calls were issued, whichever ends first. A call
    /// counts when it completes inside the measured time.</summary>
    public static async Task<WindowResult> RunAsync(string name, LoadShape shape, Func<int, DateTime, CancellationToken, Task> call,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + Ticks(shape.WarmUp);
        var measureTo = measureFrom + Ticks(shape.Duration);
        long issued = 0;
        long errors = 0;
        var samples = new List<double>[shape.Callers];
        var stoppedAt = new long[shape.Callers];
        var errorSamples = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);

        var callers = Enumerable.Range(0, shape.Callers).Select(caller => Task.Run(async () =>
        {
            var mine = samples[caller] = new List<double>(4096);
            while (!cancellationToken.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= measureTo || Interlocked.Increment(ref issued) > shape.MaxCalls) break;
                try
                {
                    await call(caller, DateTime.UtcNow + shape.CallTimeout, cancellationToken);
                    var t1 = Stopwatch.GetTimestamp();
                    if (t1 >= measureFrom && t1 <= measureTo) mine.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    if (errorSamples.Count < MaxErrorSamples) errorSamples.TryAdd(Describe(e), 0);
                }
            }

            stoppedAt[caller] = Stopwatch.GetTimestamp();
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(callers);
        cancellationToken.ThrowIfCancellationRequested();

        var end = Math.Min(measureTo, stoppedAt.Max());
        var seconds = end > measureFrom ? Stopwatch.GetElapsedTime(measureFrom, end).TotalSeconds : 0;
        var all = samples.SelectMany(s => s).Order().ToArray();
        return new WindowResult(name, all.Length, seconds, Percentiles.Of(all, 0.50), Percentiles.Of(all, 0.99),
            all.Length == 0 ? 0 : all[^1], errors, [.. errorSamples.Keys.Take(MaxErrorSamples)]);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static string Describe(Exception e) => e is RpcException rpc
        ? $"{rpc.StatusCode}: {rpc.Status.Detail}"
        : $"{e.GetType().Name}: {e.Message}";
}
