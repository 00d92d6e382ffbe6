using System.Security.Cryptography;
using System.Text;

using Grpc.Net.Client;

using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Artifacts;
using Orchestrator.Execution.Tests.Support;

namespace Orchestrator.Execution.Tests.Artifacts;

/// <summary>Verifies the remote artifact store against a real ArtifactService over h2c: multi-chunk uploads and
/// downloads, stat of absent artifacts, and refusal of content that does not match its expected digest.</summary>
public sealed class RemoteArtifactStoreTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private FakeGateway _gateway = null!;
    private GrpcChannel _channel = null!;
    private RemoteArtifactStore _store = null!;

    public async Task InitializeAsync()
    {
        _gateway = await FakeGateway.StartAsync();
        _channel = GrpcChannel.ForAddress(_gateway.Address);
        _store = new RemoteArtifactStore(new ArtifactService.ArtifactServiceClient(_channel));
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _gateway.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task PutFileAsync_LargerThanOneChunk_IsStoredByTheServerUnderItsDigest()
    {
        var content = RandomNumberGenerator.GetBytes(RemoteArtifactStore.ChunkSize * 2 + 1234);
        var path = _dir.Combine("data.bin");
        await File.WriteAllBytesAsync(path, content);

        var info = await _store.PutFileAsync(path);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), info.Digest);
        Assert.Equal(content.Length, info.Size);
        Assert.Equal(content, await File.ReadAllBytesAsync(_gateway.Artifacts.PathOf(info.Digest)));
    }

    [Fact]
    public async Task CopyToFileAsync_DownloadsEveryChunk()
    {
        var content = RandomNumberGenerator.GetBytes(350_000);
        var stored = await _gateway.Artifacts.PutAsync(new MemoryStream(content), null);

        var target = _dir.Combine("inputs", "data");
        await _store.CopyToFileAsync(stored.Digest, target);

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Equal(stored, await _store.StatAsync(stored.Digest));
    }

    [Fact]
    public async Task EmptyContent_RoundTrips()
    {
        var info = await _store.PutAsync(new MemoryStream(), null);

        await using var read = await _store.OpenReadAsync(info.Digest);
        Assert.Equal(-1, read!.ReadByte());
        Assert.Equal(0, info.Size);
    }

    [Fact]
    public async Task Absent_StatAndOpenAreNull_AndCopyThrowsFileNotFound()
    {
        var absent = Convert.ToHexStringLower(SHA256.HashData([9]));

        Assert.Null(await _store.StatAsync(absent));
        Assert.Null(await _store.OpenReadAsync(absent));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _store.CopyToFileAsync(absent, _dir.Combine("x")));
    }

    [Fact]
    public async Task PutAsync_DigestMismatch_IsRefusedAndNothingIsStored()
    {
        var wrong = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("other")));

        await Assert.ThrowsAsync<InvalidDataException>(() => _store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes("mine")), wrong));

        Assert.Null(await _gateway.Artifacts.StatAsync(wrong));
        Assert.Null(await _gateway.Artifacts.StatAsync(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("mine")))));
    }

    [Fact]
    public async Task MalformedDigest_IsRefusedBeforeAnyCall()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.StatAsync("../etc"));

        Assert.Contains("\"../etc\"", error.Message);
    }
}
