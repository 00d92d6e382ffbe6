using System.Security.Cryptography;
using Orchestrator.Storage.Redis.Artifacts;
using Orchestrator.Storage.Redis.Tests.Support;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Tests.Artifacts;

/// <summary>Verifies the Redis artifact store against a real redis-server: content split into pieces reads back whole
/// from another connection, storing the same content twice keeps one copy, a wrong expected digest stores nothing,
/// copying to a file verifies it, absent artifacts read as absent, and bad digests are refused naming the field.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisArtifactStoreTests(RedisServer redis)
{
    private const int Chunk = 4096;
    private readonly string _prefix = RedisServer.UniquePrefix();

    private RedisArtifactStore Store => new(redis.Connection, _prefix, Chunk);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk)]
    [InlineData(Chunk * 3 + 17)]
    public async Task Put_ThenReadFromAnotherSilo_GivesTheSameBytesAndDigest(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var stored = await Store.PutAsync(new MemoryStream(content), null);

        await using var siloB = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var other = new RedisArtifactStore(siloB, _prefix, Chunk);
        await using var read = (await other.OpenReadAsync(stored.Digest))!;
        var back = new MemoryStream();
        await read.CopyToAsync(back);

        Assert.Equal((Convert.ToHexStringLower(SHA256.HashData(content)), (long)size), (stored.Digest, stored.Size));
        Assert.Equal(content, back.ToArray());
        Assert.Equal(stored, await other.StatAsync(stored.Digest));
    }

    [Fact]
    public async Task PutTwice_KeepsOneCopy_AndLeavesNoUploadPieces()
    {
        var content = RandomNumberGenerator.GetBytes(Chunk * 2 + 1);
        var first = await Store.PutAsync(new MemoryStream(content), null);
        var second = await Store.PutAsync(new MemoryStream(content), first.Digest);

        Assert.Equal(first, second);
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var keys = server.Keys(pattern: _prefix + "*").Select(k => k.ToString()[_prefix.Length..]).Order().ToList();
        Assert.Equal([$"artifact:{first.Digest}", $"artifact:{first.Digest}:0", $"artifact:{first.Digest}:1", $"artifact:{first.Digest}:2"], keys);
    }

    [Fact]
    public async Task Put_WithAWrongExpectedDigest_StoresNothing()
    {
        var wrong = new string('a', 64);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Store.PutAsync(new MemoryStream(RandomNumberGenerator.GetBytes(Chunk + 5)), wrong));

        Assert.Contains($"not the expected {wrong}; nothing was stored", refused.Message);
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        Assert.Empty(server.Keys(pattern: _prefix + "*"));
    }

    [Fact]
    public async Task CopyToFile_WritesTheContent_AndAnAbsentArtifactIsNotFound()
    {
        var content = RandomNumberGenerator.GetBytes(Chunk * 2);
        var stored = await Store.PutAsync(new MemoryStream(content), null);
        var dir = Path.Combine(Path.GetTempPath(), "orch-redis-copy-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var target = Path.Combine(dir, "inputs", "data.bin");
            await Store.CopyToFileAsync(stored.Digest, target);

            Assert.Equal(content, await File.ReadAllBytesAsync(target));
            var absent = new string('0', 64);
            await Assert.ThrowsAsync<FileNotFoundException>(() => Store.CopyToFileAsync(absent, Path.Combine(dir, "x")));
            Assert.Null(await Store.OpenReadAsync(absent));
            Assert.Null(await Store.StatAsync(absent));
            Assert.Equal(["data.bin"], Directory.GetFiles(Path.Combine(dir, "inputs")).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("../../../../etc/passwd/000000000000000000000000000000000000000000")]
    public async Task BadDigests_AreRefusedNamingTheField(string digest)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Store.StatAsync(digest));

        Assert.Equal("digest", refused.ParamName);
        Assert.Contains("is not a sha256 digest", refused.Message);
    }
}
