using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Transitions;

/// <summary>A node agent inside the load driver, over the real <c>NodeService.Connect</c> stream: it registers a node
/// with room for any number of small steps, heartbeats, and answers every assignment at once with step_started and
/// step_finished (SUCCEEDED, one artifact per declared output) without running anything. It acknowledges nothing
/// itself; it counts the server's acks of its reports.</summary>
internal sealed class FakeAgent : IAsyncDisposable
{
    /// <summary>The node it registers.</summary>
    public const string NodeName = "load-agent";

    /// <summary>CPU it offers, in thousandths of a core: a million cores.</summary>
    public const long CpuMillis = 1_000_000_000;

    /// <summary>Memory it offers: 1 PiB.</summary>
    public const long MemoryBytes = 1L << 50;

    // sha256 of nothing: the outputs are reported, not uploaded.
    private const string EmptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly AsyncDuplexStreamingCall<AgentMessage, ControlMessage> _call;
    private readonly Channel<AgentMessage> _outbox = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly TimeSpan _heartbeatInterval;
    private readonly Func<StepAssignment, TimeSpan>? _workTime;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private Task _heartbeats = Task.CompletedTask;
    private long _reportId;
    private long _assignments;
    private long _reports;
    private long _acks;
    private long _cancels;
    private volatile Exception? _fault;

    private FakeAgent(AsyncDuplexStreamingCall<AgentMessage, ControlMessage> call, TimeSpan heartbeatInterval, Func<StepAssignment, TimeSpan>? workTime)
    {
        _call = call;
        _heartbeatInterval = heartbeatInterval;
        _workTime = workTime;
    }

    /// <summary>Assignments received.</summary>
    public long Assignments => Interlocked.Read(ref _assignments);

    /// <summary>Reports sent (started and finished).</summary>
    public long Reports => Interlocked.Read(ref _reports);

    /// <summary>Acks received for them.</summary>
    public long Acks => Interlocked.Read(ref _acks);

    /// <summary>Cancellations received (none expected).</summary>
    public long Cancels => Interlocked.Read(ref _cancels);

    /// <summary>Cancelled when the stream fails or the server ends it (the node is then lost or disconnected).</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why the stream ended, once it has.</summary>
    public string? FaultMessage => _fault is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : _fault?.Message;

    /// <summary>Opens the stream, registers, and starts answering; returns once the server said <c>registered</c>.
    /// <paramref name="gpus"/> simulated GPUs of model <c>load-gpu</c> (none by default); <paramref name="workTime"/> says how long
    /// a step seems to run between started and finished (default: it finishes at once).</summary>
    public static async Task<FakeAgent> ConnectAsync(GrpcChannel channel, CancellationToken cancellationToken, string node = NodeName, int gpus = 0,
        Func<StepAssignment, TimeSpan>? workTime = null)
    {
        var call = new NodeService.NodeServiceClient(channel).Connect(cancellationToken: CancellationToken.None);
        try
        {
            var register = new RegisterAgent { Node = node, CpuMillis = CpuMillis, MemoryBytes = MemoryBytes, AgentVersion = "load-tests" };
            for (var i = 0; i < gpus; i++)
                register.Gpus.Add(new GpuDevice { Index = i, Uuid = $"GPU-{node}-{i}", Model = "load-gpu", MemoryBytes = 80L << 30, Simulated = true });
            await call.RequestStream.WriteAsync(new AgentMessage { Register = register }, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            if (!await call.ResponseStream.MoveNext(timeout.Token))
                throw new InvalidOperationException("the server closed the agent stream without answering `register`");
            var registered = call.ResponseStream.Current.Registered
                ?? throw new InvalidOperationException($"the server answered `register` with {call.ResponseStream.Current.BodyCase}, not `registered`");

            var agent = new FakeAgent(call, TimeSpan.FromMilliseconds(Math.Max(100, registered.HeartbeatIntervalMs)), workTime);
            agent.Start();
            return agent;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <summary>Throws when the stream broke.</summary>
    public void ThrowIfFaulted()
    {
        if (_fault is { } fault) throw new InvalidOperationException($"the fake agent's stream failed: {FaultMessage}", fault);
    }

    /// <summary>Closes the stream (the node becomes disconnected).</summary>
    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await _stop.CancelAsync();
        await Quietly(_heartbeats);
        await Quietly(_writer);
        await Quietly(_call.RequestStream.CompleteAsync());
        await Quietly(_reader);
        _call.Dispose();
        _stop.Dispose();
        _lost.Dispose();
    }

    private void Start()
    {
        _writer = Task.Run(WriteAsync);
        _reader = Task.Run(ReadAsync);
        _heartbeats = Task.Run(HeartbeatAsync);
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(_stop.Token))
                await _call.RequestStream.WriteAsync(message, _stop.Token);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            Fail(e);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token))
            {
                var message = _call.ResponseStream.Current;
                switch (message.BodyCase)
                {
                    case ControlMessage.BodyOneofCase.Assign:
                        Interlocked.Increment(ref _assignments);
                        Answer(message.Assign);
                        break;
                    case ControlMessage.BodyOneofCase.Ack:
                        Interlocked.Increment(ref _acks);
                        break;
                    case ControlMessage.BodyOneofCase.Cancel:
                        Interlocked.Increment(ref _cancels);
                        break;
                }
            }

            if (!_stop.IsCancellationRequested) Fail(new InvalidOperationException("the server ended the agent stream"));
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        _fault ??= e;
        _lost.Cancel();
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(_heartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) _outbox.Writer.TryWrite(new AgentMessage { Heartbeat = new Heartbeat() });
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private void Answer(StepAssignment assignment)
    {
        _outbox.Writer.TryWrite(new AgentMessage
        {
            StepStarted = new StepStarted { Step = assignment.Step, Pid = Environment.ProcessId, ReportId = Interlocked.Increment(ref _reportId) },
        });
        Interlocked.Increment(ref _reports);
        var work = _workTime?.Invoke(assignment) ?? TimeSpan.Zero;
        if (work <= TimeSpan.Zero) Finish(assignment);
        else _ = FinishLaterAsync(assignment, work);
    }

    /// <summary>The simulated step "runs" for <paramref name="work"/>; a stopping agent leaves it unfinished, as a real one would.</summary>
    private async Task FinishLaterAsync(StepAssignment assignment, TimeSpan work)
    {
        try
        {
            await Task.Delay(work, _stop.Token);
            Finish(assignment);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // stopping
        }
    }

    private void Finish(StepAssignment assignment)
    {
        var finished = new StepFinished { Step = assignment.Step, Outcome = StepOutcome.Succeeded, ExitCode = 0, ReportId = Interlocked.Increment(ref _reportId) };
        foreach (var name in assignment.Outputs) finished.Outputs.Add(new Artifact { Name = name, Digest = EmptyDigest, Size = 0 });
        _outbox.Writer.TryWrite(new AgentMessage { StepFinished = finished });
        Interlocked.Increment(ref _reports);
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or InvalidOperationException)
        {
            // closing: the stream may already be gone
        }
    }
}
