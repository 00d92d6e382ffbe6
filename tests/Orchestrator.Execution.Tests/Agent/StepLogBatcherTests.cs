using System.Text;

using Microsoft.Extensions.Time.Testing;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;
using Orchestrator.Execution.Agent;

namespace Orchestrator.Execution.Tests.Agent;

/// <summary>Verifies log batching with a fake clock: messages of at most 64 KiB sent as soon as that much is
/// buffered, the rest every 200 ms or at the end, streams kept apart, and dropped output noted once it flows again.</summary>
public sealed class StepLogBatcherTests
{
    private static readonly StepRef Step = new() { RunId = "r", StepKey = "s", Attempt = 1 };
    private readonly FakeTimeProvider _time = new();
    private readonly List<StepLog> _sent = [];
    private bool _accepting = true;

    private StepLogBatcher Create() => new(Step, m =>
    {
        if (!_accepting) return false;
        _sent.Add(m.StepLog);
        return true;
    }, _time);

    [Fact]
    public void Append_PastOneMessage_SendsFullMessagesAtOnceAndTheRestOnTheTimer()
    {
        using var batcher = Create();

        batcher.Append(LogStreamKind.Stdout, new byte[150 * 1024]);

        Assert.Equal([StepLogBatcher.MaxMessageBytes, StepLogBatcher.MaxMessageBytes, 150 * 1024 - 2 * StepLogBatcher.MaxMessageBytes],
            _sent.Select(l => l.Data.Length));
    }

    [Fact]
    public void SmallOutput_IsSentWhenTheFlushIntervalPasses()
    {
        using var batcher = Create();
        batcher.Append(LogStreamKind.Stdout, "a"u8.ToArray());
        batcher.Append(LogStreamKind.Stderr, "b"u8.ToArray());
        batcher.Append(LogStreamKind.Stdout, "c"u8.ToArray());

        Assert.Empty(_sent);
        _time.Advance(StepLogBatcher.FlushInterval);

        Assert.Equal(2, _sent.Count);
        Assert.Equal((LogStream.Stdout, "ac"), (_sent[0].Stream, _sent[0].Data.ToStringUtf8()));
        Assert.Equal((LogStream.Stderr, "b"), (_sent[1].Stream, _sent[1].Data.ToStringUtf8()));
        Assert.All(_sent, l => Assert.Equal(Step, l.Step));
    }

    [Fact]
    public void Complete_SendsWhatIsLeftAndIgnoresLaterOutput()
    {
        using var batcher = Create();
        batcher.Append(LogStreamKind.Stdout, "last words"u8.ToArray());

        batcher.Complete();
        batcher.Append(LogStreamKind.Stdout, "too late"u8.ToArray());
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("last words", Assert.Single(_sent).Data.ToStringUtf8());
    }

    [Fact]
    public void OutputThatCouldNotBeSent_IsNotedWhenSendingWorksAgain()
    {
        using var batcher = Create();
        _accepting = false;
        batcher.Append(LogStreamKind.Stdout, "lost"u8.ToArray());
        batcher.Flush();

        _accepting = true;
        batcher.Append(LogStreamKind.Stdout, "back"u8.ToArray());
        batcher.Flush();

        Assert.Equal(2, _sent.Count);
        Assert.Equal(LogStream.Stderr, _sent[0].Stream);
        Assert.Contains("4 bytes of output were dropped", Encoding.UTF8.GetString(_sent[0].Data.Span));
        Assert.Equal("back", _sent[1].Data.ToStringUtf8());
    }
}
