using Grpc.Core;

using Microsoft.AspNetCore.Http;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Tests.Support;

/// <summary>One agent stream as the fake gateway sees it: everything the agent sent, and a way to send and to drop.</summary>
public sealed class FakeAgentConnection(IServerStreamWriter<ControlMessage> responses, HttpContext http)
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly List<AgentMessage> _received = [];
    private readonly CancellationTokenSource _dropped = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends when the test drops the connection.</summary>
    public CancellationToken Dropped => _dropped.Token;

    /// <summary>True once the stream has ended, whichever side ended it.</summary>
    public bool Ended { get; private set; }

    internal void End() => Ended = true;

    /// <summary>A copy of every message received so far.</summary>
    public List<AgentMessage> Received
    {
        get
        {
            lock (_received) return [.. _received];
        }
    }

    /// <summary>The agent's registration (its first message).</summary>
    public RegisterAgent Registration => Received.First().Register;

    internal void Record(AgentMessage message)
    {
        lock (_received)
        {
            _received.Add(message);
            _arrived.TrySetResult();
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>The first message received (so far or later) that matches.</summary>
    public async Task<AgentMessage> WaitForAsync(Func<AgentMessage, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Eventually.DefaultTimeout);
        while (true)
        {
            Task arrived;
            lock (_received)
            {
                var found = _received.FirstOrDefault(match);
                if (found is not null) return found;
                arrived = _arrived.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(arrived, Task.Delay(left)) != arrived)
            {
                throw new TimeoutException($"timed out waiting for the agent to send {what}; it sent: {string.Join(" | ", Received.Select(m => m.BodyCase))}");
            }
        }
    }

    /// <summary>The step_finished report for one step.</summary>
    public async Task<StepFinished> FinishedAsync(StepRef step) =>
        (await WaitForAsync(m => m.StepFinished?.Step?.Equals(step) == true, $"step_finished for {step}")).StepFinished;

    /// <summary>The step_started report for one step.</summary>
    public async Task<StepStarted> StartedAsync(StepRef step) =>
        (await WaitForAsync(m => m.StepStarted?.Step?.Equals(step) == true, $"step_started for {step}")).StepStarted;

    /// <summary>Everything the step wrote to one stream, in order.</summary>
    public string LogText(StepRef step, LogStream stream) => string.Concat(Received
        .Where(m => m.StepLog?.Step?.Equals(step) == true && m.StepLog.Stream == stream)
        .Select(m => m.StepLog.Data.ToStringUtf8()));

    public async Task SendAsync(ControlMessage message)
    {
        await _writeLock.WaitAsync();
        try
        {
            await responses.WriteAsync(message);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task AssignAsync(StepAssignment assignment) => SendAsync(new ControlMessage { Assign = assignment });

    public Task AckAsync(long reportId) => SendAsync(new ControlMessage { Ack = new Ack { ReportId = reportId } });

    /// <summary>Breaks the connection the way a network failure would.</summary>
    public void Drop()
    {
        _dropped.Cancel();
        try
        {
            http.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The call had already ended.
        }
    }
}
