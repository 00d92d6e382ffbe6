namespace Orchestrator.Core.Storage;

/// <summary>Keeps the stdout and stderr of step attempts and lets readers follow them live.</summary>
public interface IStepLogStore
{
    /// <summary>Appends a chunk of output to an attempt's log.</summary>
    ValueTask AppendAsync(StepLogKey key, LogStreamKind stream, ReadOnlyMemory<byte> data, DateTimeOffset time);

    /// <summary>Marks an attempt's log complete: followers stop after the last chunk.</summary>
    ValueTask CompleteAsync(StepLogKey key);

    /// <summary>Reads an attempt's log from the start; with <paramref name="follow"/>, waits for more until it completes.</summary>
    IAsyncEnumerable<LogEntry> ReadAsync(StepLogKey key, bool follow, CancellationToken cancellationToken = default);
}

/// <summary>Which attempt of which step of which run; for a gang, which of its processes (<paramref name="Replica"/>).</summary>
public readonly record struct StepLogKey(string RunId, string StepKey, int Attempt, int Replica = 0)
{
    /// <summary>The log of a step attempt's process.</summary>
    public static StepLogKey Of(Runs.StepRef step) => new(step.RunId, step.StepKey, step.Attempt, step.Replica);
}

/// <summary>stdout or stderr.</summary>
public enum LogStreamKind
{
    /// <summary>Standard output.</summary>
    Stdout = 1,
    /// <summary>Standard error.</summary>
    Stderr = 2,
}

/// <summary>One chunk of a log.</summary>
public sealed record LogEntry(LogStreamKind Stream, ReadOnlyMemory<byte> Data, DateTimeOffset Time);
