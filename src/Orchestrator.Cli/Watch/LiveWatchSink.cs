using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;

using Spectre.Console;

namespace Orchestrator.Cli.Watch;

/// <summary>Watch progress as a live table on a terminal, re-rendered on every event and every second (elapsed times tick).</summary>
internal sealed class LiveWatchSink(LiveDisplayContext display, TimeProvider clock) : IRunWatchSink, IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopTicking = new();
    private Run? latest;
    private string? note;
    private Task ticking = Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(RunWatchState state, CancellationToken cancellationToken)
    {
        Show(state, null);
        ticking = TickAsync(stopTicking.Token);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task EventAsync(RunWatchState state, RunEvent runEvent, CancellationToken cancellationToken)
    {
        Show(state, null);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ReconnectingAsync(RunWatchState state, int attempt, TimeSpan delay, string problem, CancellationToken cancellationToken)
    {
        Show(state, $"stream broke ({problem}); reconnecting in {Humanize.Duration(delay)}");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task FinishedAsync(RunWatchState state, CancellationToken cancellationToken)
    {
        await StopTickingAsync();
        Show(state, null);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopTickingAsync();
        stopTicking.Dispose();
    }

    private async Task StopTickingAsync()
    {
        await stopTicking.CancelAsync();
        try
        {
            await ticking;
        }
        catch (OperationCanceledException)
        {
            // Stopping is what we asked for.
        }
    }

    // The watcher mutates the state between events; the ticker renders a copy taken here, on the watcher's thread.
    private void Show(RunWatchState state, string? reconnectNote)
    {
        lock (gate)
        {
            latest = state.Run.Clone();
            note = reconnectNote;
            Render();
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick, clock);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            lock (gate) Render();
        }
    }

    private void Render()
    {
        if (latest is null) return;
        display.UpdateTarget(RunWatchView.Render(latest, clock.GetUtcNow(), note));
        display.Refresh();
    }
}
