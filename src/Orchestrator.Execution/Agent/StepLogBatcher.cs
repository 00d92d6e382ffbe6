using System.Globalization;
using System.Text;

using Google.Protobuf;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;

namespace Orchestrator.Execution.Agent;

/// <summary>Turns a step's output chunks into <c>step_log</c> messages: at most 64 KiB each, sent when that much is
/// buffered, every 200 ms, and at the end.</summary>
internal sealed class StepLogBatcher : IDisposable
{
    /// <summary>Largest log message payload.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>How often buffered output is sent.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly StepRef _step;
    private readonly Func<AgentMessage, bool> _send;
    private readonly Lock _gate = new();
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private readonly ITimer _timer;
    private long _droppedBytes;
    private bool _completed;

    /// <summary>Creates a batcher; <paramref name="send"/> returns false when it could not pass a message on.</summary>
    public StepLogBatcher(StepRef step, Func<AgentMessage, bool> send, TimeProvider time)
    {
        _step = step;
        _send = send;
        _timer = time.CreateTimer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    /// <summary>Adds output (copied); sends full messages right away.</summary>
    public void Append(LogStreamKind kind, ReadOnlyMemory<byte> data)
    {
        lock (_gate)
        {
            if (_completed) return;
            var buffer = kind == LogStreamKind.Stderr ? _stderr : _stdout;
            buffer.Write(data.Span);
            if (buffer.Length >= MaxMessageBytes) SendLocked(kind, buffer);
        }
    }

    /// <summary>Sends everything buffered.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            SendLocked(LogStreamKind.Stdout, _stdout);
            SendLocked(LogStreamKind.Stderr, _stderr);
        }
    }

    /// <summary>Sends what is left and stops; later output is ignored.</summary>
    public void Complete()
    {
        _timer.Dispose();
        lock (_gate)
        {
            SendLocked(LogStreamKind.Stdout, _stdout);
            SendLocked(LogStreamKind.Stderr, _stderr);
            _completed = true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
    }

    private void SendLocked(LogStreamKind kind, MemoryStream buffer)
    {
        if (buffer.Length == 0) return;
        var bytes = buffer.GetBuffer();
        var length = (int)buffer.Length;
        for (var offset = 0; offset < length; offset += MaxMessageBytes)
        {
            var count = Math.Min(MaxMessageBytes, length - offset);
            if (_droppedBytes > 0 && Send(LogStreamKind.Stderr, Encoding.UTF8.GetBytes(DroppedNote())))
            {
                _droppedBytes = 0;
            }
            if (!Send(kind, bytes.AsSpan(offset, count).ToArray())) _droppedBytes += count;
        }
        buffer.SetLength(0);
    }

    private bool Send(LogStreamKind kind, byte[] data) => _send(new AgentMessage
    {
        StepLog = new StepLog
        {
            Step = _step,
            Stream = kind == LogStreamKind.Stderr ? LogStream.Stderr : LogStream.Stdout,
            Data = UnsafeByteOperations.UnsafeWrap(data),
        },
    });

    private string DroppedNote() => string.Create(CultureInfo.InvariantCulture,
        $"\n[orchestrator agent: {_droppedBytes} bytes of output were dropped here: the gateway was unreachable or too slow]\n");
}
