using System.Security.Cryptography;

using Google.Protobuf;

using Grpc.Core;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;

namespace Orchestrator.Execution.Artifacts;

/// <summary>The control plane's artifact store seen through <c>ArtifactService</c>: what a standalone agent uses when it
/// does not share a disk with the server.</summary>
public sealed class RemoteArtifactStore : IArtifactStore
{
    /// <summary>Bytes per upload message.</summary>
    public const int ChunkSize = 256 * 1024;

    private readonly Func<ArtifactService.ArtifactServiceClient> _client;

    /// <summary>Creates a store over one client.</summary>
    public RemoteArtifactStore(ArtifactService.ArtifactServiceClient client) : this(() => client)
    {
    }

    /// <summary>Creates a store that asks <paramref name="client"/> for the client to use on every call (the agent's
    /// current gateway connection).</summary>
    public RemoteArtifactStore(Func<ArtifactService.ArtifactServiceClient> client) => _client = client;

    /// <inheritdoc />
    public async Task<ArtifactInfo> PutFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, useAsync: true);
        await using (source.ConfigureAwait(false))
        {
            return await PutAsync(source, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<ArtifactInfo> PutAsync(Stream content, string? expectedDigest, CancellationToken cancellationToken = default)
    {
        if (expectedDigest is not null) ArtifactDigest.EnsureValid(expectedDigest, nameof(expectedDigest));
        var size = content.CanSeek ? content.Length - content.Position : 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var call = _client().Upload(cancellationToken: cancellationToken);
        var buffer = new byte[ChunkSize];
        var first = true;
        long sent = 0;
        while (true)
        {
            var read = await ReadChunkAsync(content, buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0 && !first) break;
            hash.AppendData(buffer, 0, read);
            var message = new UploadArtifactRequest { Data = ByteString.CopyFrom(buffer, 0, read) };
            if (first)
            {
                message.ExpectedDigest = expectedDigest ?? "";
                message.Size = size;
                first = false;
            }
            await call.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            sent += read;
            if (read == 0) break;
        }
        var digest = ArtifactDigest.FromHash(hash);
        if (expectedDigest is not null && digest != expectedDigest)
        {
            // Leaving the call incomplete cancels it: the server stores nothing.
            throw new InvalidDataException($"content has sha256 {digest}, not the expected {expectedDigest}; nothing was stored");
        }
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        Artifact stored;
        try
        {
            stored = await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.DataLoss)
        {
            throw new InvalidDataException($"the artifact service refused the upload: {e.Status.Detail}", e);
        }
        if (stored.Digest != digest || stored.Size != sent)
        {
            throw new InvalidDataException(
                $"the artifact service stored {stored.Digest} ({stored.Size} bytes) but sent content is {digest} ({sent} bytes)");
        }
        return new ArtifactInfo(digest, sent);
    }

    /// <inheritdoc />
    public async Task<ArtifactInfo?> StatAsync(string digest, CancellationToken cancellationToken = default)
    {
        ArtifactDigest.EnsureValid(digest, nameof(digest));
        try
        {
            var artifact = await _client().StatArtifactAsync(new DownloadArtifactRequest { Digest = digest }, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return new ArtifactInfo(digest, artifact.Size);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenReadAsync(string digest, CancellationToken cancellationToken = default)
    {
        ArtifactDigest.EnsureValid(digest, nameof(digest));
        var call = _client().Download(new DownloadArtifactRequest { Digest = digest }, cancellationToken: cancellationToken);
        try
        {
            // The first read tells an absent artifact (NOT_FOUND) from an empty one (no chunks).
            var any = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            return new ArtifactDownloadStream(call, any ? call.ResponseStream.Current.Data.Memory : null, ended: !any);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            call.Dispose();
            return null;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task CopyToFileAsync(string digest, string path, CancellationToken cancellationToken = default)
    {
        var source = await OpenReadAsync(digest, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"artifact {digest} is not in the control plane's artifact store");
        await using (source.ConfigureAwait(false))
        {
            await AtomicFile.WriteVerifiedAsync(path, source, digest, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<int> ReadChunkAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        // Fill whole chunks so message sizes do not depend on how the source stream happens to return data.
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }
}
