namespace Orchestrator.Grains.Tests.Support;

/// <summary>Waits for a condition with a deadline (polling), instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    /// <summary>How long a wait may take before the test fails; generous for a loaded 2-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws naming <paramref name="what"/> at the deadline.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>Polls an asynchronous probe until it returns a value that satisfies <paramref name="accept"/>, and returns it.</summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (accept(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting until {what}; last seen: {value}");
            await Task.Delay(10);
        }
    }

    /// <summary>Awaits a task, failing the test with <paramref name="what"/> if it does not complete in time.</summary>
    public static async Task<T> Within<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out waiting for {what}");
        }
    }
}
