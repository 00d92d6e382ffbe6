using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Orchestrator.Core.Storage;

namespace Orchestrator.Storage.StepLogs;

/// <summary>Reading and following step logs.</summary>
public sealed partial class FileStepLogStore
{
    /// <inheritdoc/>
    public IAsyncEnumerable<LogEntry> ReadAsync(StepLogKey key, bool follow, CancellationToken cancellationToken = default)
    {
        var path = StepLogPath.For(_root, key);
        return ReadFramesAsync(key, path, follow, cancellationToken);
    }

    private async IAsyncEnumerable<LogEntry> ReadFramesAsync(StepLogKey key, string path, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = follow ? Follow(key, path) : null;
        SafeFileHandle? file = null;
        var reader = new StepLogReader();
        try
        {
            while (true)
            {
                var changed = channel?.Changed;
                file ??= TryOpenForRead(path);
                if (file is not null)
                {
                    foreach (var entry in reader.ReadAvailable(file))
                    {
                        yield return entry;
                    }

                    if (reader.Completed)
                    {
                        yield break;
                    }
                }

                if (channel is null || channel.Closed)
                {
                    yield break;
                }

                await changed!.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            file?.Dispose();
            if (channel is not null)
            {
                Unfollow(channel);
            }
        }
    }

    private StepLogChannel Follow(StepLogKey key, string path)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var channel = GetChannel(key, path);
            channel.Followers++;
            return channel;
        }
    }

    private void Unfollow(StepLogChannel channel)
    {
        lock (_gate)
        {
            channel.Followers--;
            // A channel made only for followers of a log nobody wrote in this process is not worth keeping.
            if (channel.Followers == 0 && channel.Length < 0 && _channels.TryGetValue(channel.Key, out var current) && current == channel)
            {
                _channels.Remove(channel.Key);
            }
        }
    }

    private static SafeFileHandle? TryOpenForRead(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
