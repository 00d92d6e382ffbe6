using System.Security.Cryptography;
using Orchestrator.Core.Storage;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Artifacts;

/// <summary>Content-addressed artifacts of the Redis profile: content in pieces of <see cref="RedisStorageOptions.ArtifactChunkBytes"/>
/// under <c>artifact:&lt;digest&gt;:&lt;n&gt;</c>, and a hash <c>artifact:&lt;digest&gt;</c> (size, pieces) written last.</summary>
/// <remarks>
/// The digest is known only at the end, so an upload first goes to pieces named by a random upload id that expire
/// when the upload is abandoned; one Lua script then renames them into place and writes the hash. A reader sees an
/// artifact only once all of it is there. Content lives in Redis (and its append-only file) rather than in a shared
/// directory, so a cluster needs no shared file system: see docs/cluster.md for the trade-off.
/// </remarks>
public sealed class RedisArtifactStore : IArtifactStore
{
    /// <summary>How long the pieces of an upload that never finished stay before Redis drops them.</summary>
    internal static readonly TimeSpan AbandonedUploadLifetime = TimeSpan.FromHours(1);

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly int _chunkBytes;

    /// <summary>Creates the store over <paramref name="redis"/>; keys start with <paramref name="keyPrefix"/>.</summary>
    public RedisArtifactStore(IConnectionMultiplexer redis, string keyPrefix, int chunkBytes = 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        _redis = redis;
        _keys = new RedisKeys(keyPrefix);
        _chunkBytes = chunkBytes;
    }

    /// <inheritdoc/>
    public async Task<ArtifactInfo> PutFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 256 * 1024, useAsync: true);
        await using (source.ConfigureAwait(false))
        {
            return await PutAsync(source, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<ArtifactInfo> PutAsync(Stream content, string? expectedDigest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (expectedDigest is not null) EnsureDigest(expectedDigest, nameof(expectedDigest));
        var db = _redis.GetDatabase();
        var upload = Guid.NewGuid().ToString("N");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[_chunkBytes];
        long size = 0;
        var chunks = 0;
        var committed = false;
        try
        {
            while (true)
            {
                var filled = await FillAsync(content, buffer, cancellationToken).ConfigureAwait(false);
                if (filled == 0) break;
                hash.AppendData(buffer, 0, filled);
                await db.StringSetAsync(_keys.UploadChunk(upload, chunks), buffer.AsMemory(0, filled), AbandonedUploadLifetime).ConfigureAwait(false);
                chunks++;
                size += filled;
                if (filled < buffer.Length) break;
            }

            var digest = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (expectedDigest is not null && digest != expectedDigest)
                throw new InvalidDataException($"content has sha256 {digest}, not the expected {expectedDigest}; nothing was stored");

            await ArtifactScripts.Commit.EvaluateAsync(db, new { prefix = _keys.Prefix, upload, digest, chunks, size }).ConfigureAwait(false);
            committed = true;
            return new ArtifactInfo(digest, size);
        }
        finally
        {
            if (!committed && chunks > 0)
            {
                // Best effort: the pieces expire anyway.
                var keys = Enumerable.Range(0, chunks).Select(i => _keys.UploadChunk(upload, i)).ToArray();
                await db.KeyDeleteAsync(keys, CommandFlags.FireAndForget).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async Task<ArtifactInfo?> StatAsync(string digest, CancellationToken cancellationToken = default)
    {
        var layout = await LayoutAsync(digest).ConfigureAwait(false);
        return layout is { } l ? new ArtifactInfo(digest, l.Size) : null;
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenReadAsync(string digest, CancellationToken cancellationToken = default)
    {
        var layout = await LayoutAsync(digest).ConfigureAwait(false);
        return layout is { } l ? new RedisArtifactReadStream(_redis.GetDatabase(), _keys, digest, l.Size, l.Chunks) : null;
    }

    /// <inheritdoc/>
    public async Task CopyToFileAsync(string digest, string path, CancellationToken cancellationToken = default)
    {
        var source = await OpenReadAsync(digest, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"artifact {digest} is not in the Redis artifact store", path);
        await using (source.ConfigureAwait(false))
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full)!;
            Directory.CreateDirectory(directory);
            // Through a temporary file beside the target, so a reader sees nothing or the whole, verified content.
            var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
            var done = false;
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 256 * 1024, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    var buffer = new byte[256 * 1024];
                    int read;
                    while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (actual != digest) throw new InvalidDataException($"artifact {digest} arrived with content that hashes to {actual}; {path} was not written");
                File.Move(temp, full, overwrite: true);
                done = true;
            }
            finally
            {
                if (!done) File.Delete(temp);
            }
        }
    }

    private async Task<(long Size, int Chunks)?> LayoutAsync(string digest)
    {
        EnsureDigest(digest, nameof(digest));
        var values = await _redis.GetDatabase().HashGetAsync(_keys.Artifact(digest), ["size", "chunks"]).ConfigureAwait(false);
        return values[0].IsNull ? null : ((long)values[0], (int)values[1]);
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            filled += read;
        }

        return filled;
    }

    private static void EnsureDigest(string digest, string parameterName)
    {
        if (digest is not { Length: 64 } || !digest.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            throw new ArgumentException($"digest \"{digest}\" is not a sha256 digest: expected 64 lowercase hex characters (0-9, a-f)", parameterName);
    }
}
