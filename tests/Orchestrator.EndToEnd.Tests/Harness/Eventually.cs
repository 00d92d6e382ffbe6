namespace Orchestrator.EndToEnd.Tests.Harness;

/// <summary>Waits on a condition with a deadline (never a bare sleep).</summary>
internal static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe() is { } value) return value;
            }
            catch (Exception e)
            {
                last = e;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0}s waiting for {what}" + (last is null ? "" : $" (last error: {last.Message})"), last);
    }

    public static Task Until(Func<Task<bool>> probe, TimeSpan timeout, string what) =>
        Until<object>(async () => await probe() ? new object() : null, timeout, what);

    public static Task Until(Func<bool> probe, TimeSpan timeout, string what) =>
        Until(() => Task.FromResult(probe()), timeout, what);
}
