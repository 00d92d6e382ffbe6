using Microsoft.Extensions.Logging;

namespace Orchestrator.Storage.RunIndex;

/// <summary>The run index's log messages, in one place.</summary>
public sealed partial class FileRunIndex
{
    [LoggerMessage(1, LogLevel.Information, "Run index loaded {Runs} runs, {Active} active")]
    private static partial void LogLoaded(ILogger logger, int runs, int active);

    [LoggerMessage(2, LogLevel.Error, "Run index: the stored summary of run {RunId} is unreadable and was skipped")]
    private static partial void LogUnreadableSummary(ILogger logger, string runId, Exception exception);
}
