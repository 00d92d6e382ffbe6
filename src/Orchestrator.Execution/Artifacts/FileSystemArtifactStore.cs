using Orchestrator.Core.Storage;

namespace Orchestrator.Execution.Artifacts;

/// <summary>Artifacts as files on a local disk, at <c>root/sha256/ab/&lt;64 hex&gt;</c>.</summary>
/// <remarks>
/// A blob appears all at once or not at all: content goes to a temporary file under <c>root/sha256/.partial</c>
/// (the same file system, since the digest and so the final directory is known only at the end), is flushed to
/// disk, and is then renamed into place. Storing content that is already there replaces it with identical bytes.
/// </remarks>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    private const int BufferSize = 256 * 1024;
    private readonly string _blobs;
    private readonly string _partial;

    /// <summary>Creates a store rooted at <paramref name="root"/> (created when missing).</summary>
    public FileSystemArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        _blobs = Path.Combine(Root, "sha256");
        _partial = Path.Combine(_blobs, ".partial");
    }

    /// <summary>The store's root directory, absolute.</summary>
    public string Root { get; }

    /// <summary>Where the blob for <paramref name="digest"/> lives (whether or not it exists).</summary>
    public string PathOf(string digest)
    {
        ArtifactDigest.EnsureValid(digest, nameof(digest));
        return Path.Combine(_blobs, digest[..2], digest);
    }

    /// <inheritdoc />
    public async Task<ArtifactInfo> PutFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        await using (source.ConfigureAwait(false))
        {
            return await PutAsync(source, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<ArtifactInfo> PutAsync(Stream content, string? expectedDigest, CancellationToken cancellationToken = default)
    {
        if (expectedDigest is not null) ArtifactDigest.EnsureValid(expectedDigest, nameof(expectedDigest));
        Directory.CreateDirectory(_partial);
        var temp = Path.Combine(_partial, Guid.NewGuid().ToString("N"));
        var moved = false;
        try
        {
            var (digest, size) = await AtomicFile.CopyToNewFileAsync(content, temp, cancellationToken).ConfigureAwait(false);
            if (expectedDigest is not null && digest != expectedDigest)
            {
                throw new InvalidDataException($"content has sha256 {digest}, not the expected {expectedDigest}; nothing was stored");
            }
            var final = PathOf(digest);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(temp, final, overwrite: true);
            moved = true;
            return new ArtifactInfo(digest, size);
        }
        finally
        {
            if (!moved) AtomicFile.DeleteQuietly(temp);
        }
    }

    /// <inheritdoc />
    public Task<ArtifactInfo?> StatAsync(string digest, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathOf(digest));
        return Task.FromResult(file.Exists ? new ArtifactInfo(digest, file.Length) : null);
    }

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string digest, CancellationToken cancellationToken = default)
    {
        var path = PathOf(digest);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true);
            return Task.FromResult<Stream?>(stream);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc />
    public async Task CopyToFileAsync(string digest, string path, CancellationToken cancellationToken = default)
    {
        var source = await OpenReadAsync(digest, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"artifact {digest} is not in the store at {Root}", PathOf(digest));
        await using (source.ConfigureAwait(false))
        {
            await AtomicFile.WriteVerifiedAsync(path, source, digest, cancellationToken).ConfigureAwait(false);
        }
    }
}
