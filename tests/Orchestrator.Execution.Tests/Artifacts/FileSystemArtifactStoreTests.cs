using System.Security.Cryptography;
using System.Text;

using Orchestrator.Execution.Artifacts;
using Orchestrator.Execution.Tests.Support;

namespace Orchestrator.Execution.Tests.Artifacts;

/// <summary>Verifies the file-system artifact store: content-addressed layout, round trips, idempotent puts, refusal
/// of content that does not match its expected digest (leaving nothing behind), and refusal of malformed digests.</summary>
public sealed class FileSystemArtifactStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FileSystemArtifactStore _store;

    public FileSystemArtifactStoreTests() => _store = new FileSystemArtifactStore(_dir.Combine("store"));

    public void Dispose() => _dir.Dispose();

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task PutAsync_StoresUnderSha256ShardAndReadsBack()
    {
        var content = Encoding.UTF8.GetBytes("weights v1");

        var info = await _store.PutAsync(new MemoryStream(content), null);

        Assert.Equal(Sha256(content), info.Digest);
        Assert.Equal(content.Length, info.Size);
        Assert.True(File.Exists(Path.Combine(_store.Root, "sha256", info.Digest[..2], info.Digest)));
        Assert.Equal(info, await _store.StatAsync(info.Digest));
        await using var read = await _store.OpenReadAsync(info.Digest);
        using var copy = new MemoryStream();
        await read!.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task PutFileAsync_ThenCopyToFile_GivesTheSameBytes()
    {
        var content = RandomNumberGenerator.GetBytes(700_000);
        var source = _dir.Combine("model.bin");
        await File.WriteAllBytesAsync(source, content);

        var info = await _store.PutFileAsync(source);
        var target = _dir.Combine("out", "model.bin");
        await _store.CopyToFileAsync(info.Digest, target);

        Assert.Equal(Sha256(content), info.Digest);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task PutAsync_SameContentTwice_IsFineAndKeepsOneBlob()
    {
        var first = await _store.PutAsync(Stream("same"), null);
        var second = await _store.PutAsync(Stream("same"), first.Digest);

        Assert.Equal(first, second);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_store.Root, "sha256"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PutAsync_DigestMismatch_IsRefusedAndLeavesNothingBehind()
    {
        var wrong = Sha256(Encoding.UTF8.GetBytes("something else"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.PutAsync(Stream("actual content"), wrong));

        Assert.Contains(wrong, error.Message);
        Assert.Null(await _store.StatAsync(wrong));
        Assert.Empty(Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StatAndOpen_AbsentArtifact_AreNull_AndCopyThrowsFileNotFound()
    {
        var absent = Sha256([1, 2, 3]);

        Assert.Null(await _store.StatAsync(absent));
        Assert.Null(await _store.OpenReadAsync(absent));
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => _store.CopyToFileAsync(absent, _dir.Combine("x")));
        Assert.Contains(absent, error.Message);
        Assert.False(File.Exists(_dir.Combine("x")));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abc123")]
    [InlineData("zz5d8ec3ff0e1d9ee5e76e7c4b8f4e1e2f3c4a5b6c7d8e9f0a1b2c3d4e5f6a7b")]
    [InlineData("ab/d8ec3ff0e1d9ee5e76e7c4b8f4e1e2f3c4a5b6c7d8e9f0a1b2c3d4e5f6a7b")]
    [InlineData("")]
    public async Task EveryDigestArgument_NotLowercaseHex64_IsRefusedNamingTheValue(string digest)
    {
        var stat = await Assert.ThrowsAsync<ArgumentException>(() => _store.StatAsync(digest));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(digest));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.CopyToFileAsync(digest, _dir.Combine("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(Stream("x"), digest));
        Assert.Throws<ArgumentException>(() => _store.PathOf(digest));

        Assert.Contains($"\"{digest}\"", stat.Message);
        Assert.Contains("64 lowercase hex", stat.Message);
        Assert.False(Directory.Exists(_store.Root) && Directory.EnumerateFileSystemEntries(_store.Root, "*", SearchOption.AllDirectories).Any(p => File.Exists(p)));
    }
}
