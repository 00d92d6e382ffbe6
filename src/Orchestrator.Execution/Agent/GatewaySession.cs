using System.Threading.Channels;

using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Agent;

/// <summary>One connection's outgoing side: a queue drained by the only writer of the request stream.</summary>
internal sealed class GatewaySession
{
    // Step output beyond this, waiting for a slow connection, is dropped rather than held in memory.
    private const long MaxPendingLogBytes = 16L << 20;

    private readonly Channel<AgentMessage> _queue = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
    private long _pendingLogBytes;

    /// <summary>Queues a message; false once the session has ended.</summary>
    public bool Enqueue(AgentMessage message) => _queue.Writer.TryWrite(message);

    /// <summary>Queues a log message unless too much output already waits; false when it was not queued.</summary>
    public bool TryEnqueueLog(AgentMessage message)
    {
        var size = message.StepLog.Data.Length;
        if (Interlocked.Read(ref _pendingLogBytes) + size > MaxPendingLogBytes) return false;
        Interlocked.Add(ref _pendingLogBytes, size);
        if (_queue.Writer.TryWrite(message)) return true;
        Interlocked.Add(ref _pendingLogBytes, -size);
        return false;
    }

    /// <summary>Writes queued messages to <paramref name="stream"/> until the session ends or a write fails.</summary>
    public async Task RunWriterAsync(IClientStreamWriter<AgentMessage> stream, CancellationToken cancellationToken)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            if (message.BodyCase == AgentMessage.BodyOneofCase.StepLog) Interlocked.Add(ref _pendingLogBytes, -message.StepLog.Data.Length);
        }
    }

    /// <summary>Ends the session: nothing more is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();
}
