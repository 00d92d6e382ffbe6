namespace Orchestrator.Core.Storage;

/// <summary>Content-addressed blob store: an artifact's name is the sha256 of its content.</summary>
public interface IArtifactStore
{
    /// <summary>Stores a file's content and returns its digest and size.</summary>
    Task<ArtifactInfo> PutFileAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Stores a stream's content; refuses it when <paramref name="expectedDigest"/> is set and differs.</summary>
    Task<ArtifactInfo> PutAsync(Stream content, string? expectedDigest, CancellationToken cancellationToken = default);

    /// <summary>Size of an artifact, or null when absent.</summary>
    Task<ArtifactInfo?> StatAsync(string digest, CancellationToken cancellationToken = default);

    /// <summary>Opens an artifact for reading, or returns null when absent.</summary>
    Task<Stream?> OpenReadAsync(string digest, CancellationToken cancellationToken = default);

    /// <summary>Writes an artifact's content to <paramref name="path"/>; throws <see cref="FileNotFoundException"/> when absent.</summary>
    Task CopyToFileAsync(string digest, string path, CancellationToken cancellationToken = default);
}

/// <summary>Digest (sha256, lowercase hex) and size of a stored artifact.</summary>
public sealed record ArtifactInfo(string Digest, long Size);
