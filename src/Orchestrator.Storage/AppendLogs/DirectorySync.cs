using System.Runtime.InteropServices;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>Flushes a directory's entries to disk, so that a file created or renamed in it survives a power loss.</summary>
/// <remarks>.NET cannot open a directory as a file, hence the libc calls. Windows journals metadata itself.</remarks>
internal static partial class DirectorySync
{
    /// <summary>fsyncs <paramref name="directory"/>; does nothing on Windows.</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const int ReadOnly = 0;
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to flush it: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Could not flush directory '{directory}': {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
