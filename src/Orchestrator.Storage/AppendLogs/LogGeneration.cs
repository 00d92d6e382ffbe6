using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>The open log file and the index of offsets into it; compaction replaces both at once.</summary>
internal sealed class LogGeneration(SafeFileHandle file, ConcurrentDictionary<string, IndexEntry> index)
{
    /// <summary>The log file, opened for reading and writing.</summary>
    public SafeFileHandle File { get; } = file;

    /// <summary>Key to its latest record in <see cref="File"/>; written only by the writer thread.</summary>
    public ConcurrentDictionary<string, IndexEntry> Index { get; } = index;
}
