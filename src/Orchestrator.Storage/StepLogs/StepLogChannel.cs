using Microsoft.Win32.SafeHandles;
using Orchestrator.Core.Storage;

namespace Orchestrator.Storage.StepLogs;

/// <summary>The in-process state of one attempt's log: its append handle and end, and the signal followers wait on.
/// Everything but the signal is guarded by the store's lock.</summary>
internal sealed class StepLogChannel(StepLogKey key, string path)
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Which log.</summary>
    public StepLogKey Key { get; } = key;

    /// <summary>Its file.</summary>
    public string Path { get; } = path;

    /// <summary>Open append handle, or null when closed or evicted.</summary>
    public SafeFileHandle? Handle { get; set; }

    /// <summary>End of the valid frames; -1 until this process has opened the file for appending.</summary>
    public long Length { get; set; } = -1;

    /// <summary>True once the completion frame is written (or found).</summary>
    public bool Completed { get; set; }

    /// <summary>True once the log was deleted or the store disposed: followers stop.</summary>
    public bool Closed { get; set; }

    /// <summary>Readers following this log.</summary>
    public int Followers { get; set; }

    /// <summary>Position in the store's list of open handles, most recently used first.</summary>
    public LinkedListNode<StepLogChannel>? OpenHandleNode { get; set; }

    /// <summary>Completes at the next change. Take it BEFORE reading the file, so that no change is missed.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Wakes every follower waiting on <see cref="Changed"/>; call after the change is in the file.</summary>
    public void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
