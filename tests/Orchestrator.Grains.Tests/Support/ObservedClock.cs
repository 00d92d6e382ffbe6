using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Orchestrator.Grains.Tests.Support;

/// <summary>A fake clock that also records the timers created on it, so a test can wait until a grain has started a
/// wait (for example a long-poll's timeout) before it advances time: Orleans does not promise that two calls to one
/// grain run in the order they were sent, so a test cannot infer it from a later call having returned.</summary>
public sealed class ObservedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly ConcurrentQueue<TimeSpan> _created = new();

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _created.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>How many timers have been created with this due time so far.</summary>
    public int TimersCreated(TimeSpan dueTime) => _created.Count(d => d == dueTime);
}
