using System.Security.Cryptography;

namespace Orchestrator.Execution.Artifacts;

/// <summary>Writes files so that readers see either nothing or the whole, verified content.</summary>
internal static class AtomicFile
{
    private const int BufferSize = 256 * 1024;

    /// <summary>Copies <paramref name="content"/> into a new file at <paramref name="path"/>, hashing it on the way,
    /// and flushes it to disk; returns the content's digest and size.</summary>
    public static async Task<(string Digest, long Size)> CopyToNewFileAsync(Stream content, string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        long size = 0;
        await using (target.ConfigureAwait(false))
        {
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                size += read;
            }
            await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            target.Flush(flushToDisk: true);
        }
        return (ArtifactDigest.FromHash(hash), size);
    }

    /// <summary>Copies <paramref name="content"/> to <paramref name="path"/> through a temporary file beside it, checking
    /// that the bytes hash to <paramref name="expectedDigest"/>; throws <see cref="InvalidDataException"/> and leaves
    /// nothing behind when they do not.</summary>
    public static async Task WriteVerifiedAsync(string path, Stream content, string expectedDigest, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        var done = false;
        try
        {
            var (actual, _) = await CopyToNewFileAsync(content, temp, cancellationToken).ConfigureAwait(false);
            if (actual != expectedDigest)
            {
                throw new InvalidDataException($"artifact {expectedDigest} arrived with content that hashes to {actual}; {path} was not written");
            }
            File.Move(temp, full, overwrite: true);
            done = true;
        }
        finally
        {
            if (!done) DeleteQuietly(temp);
        }
    }

    /// <summary>Deletes a temporary file; a leftover one is harmless, so failure is ignored.</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temporary file is never read as content.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
