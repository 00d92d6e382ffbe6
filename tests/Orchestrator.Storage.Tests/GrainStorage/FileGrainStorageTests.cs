using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.GrainStorage;
using Orchestrator.Storage.Tests.Support;
using Orleans.Providers;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orchestrator.Storage.Tests.GrainStorage;

/// <summary>Verifies the file grain storage through the <see cref="IGrainStorage"/> interface with Orleans' real
/// System.Text.Json serializer: absent reads, round trips, ETag checks, clear, and many state names per grain.</summary>
public sealed class FileGrainStorageTests : IAsyncLifetime
{
    private static readonly GrainId Grain = GrainId.Create("run", "run-1");
    private readonly TempDirectory _dir = new();
    private FileGrainStorage _storage = null!;

    public async Task InitializeAsync() => _storage = await OpenStorageAsync();

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Read_OfAbsentState_LeavesTheStateAsGiven_WithNoETag()
    {
        var given = new RunRecord { Name = "given" };
        var state = new GrainState<RunRecord>(given) { ETag = "stale", RecordExists = true };

        await _storage.ReadStateAsync("state", Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Same(given, state.State);
    }

    [Fact]
    public async Task Write_ThenRead_RoundTripsTheStateWithItsETag()
    {
        var written = new GrainState<RunRecord>(new RunRecord { Name = "train", Attempts = 3, Labels = { ["team"] = "vision" } });

        await _storage.WriteStateAsync("state", Grain, written);
        var read = new GrainState<RunRecord>(new RunRecord());
        await _storage.ReadStateAsync("state", Grain, read);

        Assert.Equal("1", written.ETag);
        Assert.True(written.RecordExists);
        Assert.Equal(("1", true), (read.ETag, read.RecordExists));
        Assert.Equal(("train", 3, "vision"), (read.State!.Name, read.State.Attempts, read.State.Labels["team"]));
    }

    [Fact]
    public async Task Write_WithAStaleETag_IsRefusedWithBothETags_AndTheStoredStateStays()
    {
        var first = new GrainState<RunRecord>(new RunRecord { Name = "first" });
        await _storage.WriteStateAsync("state", Grain, first);
        var stale = new GrainState<RunRecord>(new RunRecord { Name = "stale" }) { ETag = first.ETag };
        await _storage.WriteStateAsync("state", Grain, first);

        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("state", Grain, stale));

        Assert.Equal("2", refused.StoredEtag);
        Assert.Equal("1", refused.CurrentEtag);
        var read = new GrainState<RunRecord>(new RunRecord());
        await _storage.ReadStateAsync("state", Grain, read);
        Assert.Equal(("first", "2"), (read.State!.Name, read.ETag));
    }

    [Fact]
    public async Task Write_WithNoETag_OverExistingState_IsRefused()
    {
        await _storage.WriteStateAsync("state", Grain, new GrainState<RunRecord>(new RunRecord { Name = "first" }));

        var refused = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync("state", Grain, new GrainState<RunRecord>(new RunRecord { Name = "second" })));

        Assert.Equal("1", refused.StoredEtag);
        Assert.Null(refused.CurrentEtag);
    }

    [Fact]
    public async Task Write_WithAnETagThisStorageNeverIssued_IsRefused()
    {
        var state = new GrainState<RunRecord>(new RunRecord()) { ETag = "W/\"0x8D\"" };

        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("state", Grain, state));

        Assert.Contains("not issued by this storage", refused.Message);
    }

    [Fact]
    public async Task Clear_RemovesTheState_NullsTheETag_AndALaterWriteStartsAfresh()
    {
        var state = new GrainState<RunRecord>(new RunRecord { Name = "old" });
        await _storage.WriteStateAsync("state", Grain, state);

        await _storage.ClearStateAsync("state", Grain, state);
        var afterClear = new GrainState<RunRecord>(new RunRecord());
        await _storage.ReadStateAsync("state", Grain, afterClear);
        state.State = new RunRecord { Name = "new" };
        await _storage.WriteStateAsync("state", Grain, state);

        Assert.False(afterClear.RecordExists);
        Assert.Null(afterClear.ETag);
        // The version continues past the deletion, so the ETag "1" held before the clear can never match again.
        Assert.Equal("3", state.ETag);
    }

    [Fact]
    public async Task Clear_WithAStaleETag_IsRefused_AndTheStateStays()
    {
        var state = new GrainState<RunRecord>(new RunRecord { Name = "kept" });
        await _storage.WriteStateAsync("state", Grain, state);
        var stale = new GrainState<RunRecord>(new RunRecord()) { ETag = state.ETag };
        await _storage.WriteStateAsync("state", Grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("state", Grain, stale));

        var read = new GrainState<RunRecord>(new RunRecord());
        await _storage.ReadStateAsync("state", Grain, read);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task ManyStateNames_OfOneGrain_AreStoredIndependently_AndSurviveReopen()
    {
        for (var i = 0; i < 20; i++)
        {
            await _storage.WriteStateAsync($"events-{i}", Grain, new GrainState<RunRecord>(new RunRecord { Name = $"event {i}" }));
        }

        await _storage.WriteStateAsync("events-0", GrainId.Create("run", "run-2"), new GrainState<RunRecord>(new RunRecord { Name = "other grain" }));
        await _storage.DisposeAsync();
        _storage = await OpenStorageAsync();

        for (var i = 0; i < 20; i++)
        {
            var read = new GrainState<RunRecord>(new RunRecord());
            await _storage.ReadStateAsync($"events-{i}", Grain, read);
            Assert.Equal(($"event {i}", "1"), (read.State!.Name, read.ETag));
        }
    }

    [Fact]
    public async Task StoredState_IsReadableJson()
    {
        await _storage.WriteStateAsync("state", Grain, new GrainState<RunRecord>(new RunRecord { Name = "json" }));
        await _storage.DisposeAsync();

        await using (var log = await AppendLog.OpenAsync(_storage.LogDirectory))
        {
            var stored = log.TryRead($"state/{Grain}");
            using var json = JsonDocument.Parse(stored!.Value.Value);
            Assert.Equal("json", json.RootElement.GetProperty("Name").GetString());
        }

        _storage = await OpenStorageAsync();
    }

    [Fact]
    public async Task Calls_BeforeTheSiloOpensIt_AreRefusedClearly()
    {
        var closed = new FileGrainStorage("closed", new FileGrainStorageOptions { DataDirectory = _dir.Path }, Serializer(), NullLogger<FileGrainStorage>.Instance);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => closed.ReadStateAsync("state", Grain, new GrainState<RunRecord>(new RunRecord())));

        Assert.Contains("not open", refused.Message);
    }

    [Fact]
    public async Task StateName_WithASlash_IsRefused()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(
            () => _storage.WriteStateAsync("a/b", Grain, new GrainState<RunRecord>(new RunRecord())));

        Assert.Equal("stateName", refused.ParamName);
    }

    private async Task<FileGrainStorage> OpenStorageAsync()
    {
        var options = new FileGrainStorageOptions { DataDirectory = _dir.Path, Durability = Durability.None };
        var storage = new FileGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, options, Serializer(), NullLogger<FileGrainStorage>.Instance);
        await storage.OpenAsync(CancellationToken.None);
        return storage;
    }

    private static SystemTextJsonGrainStorageSerializer Serializer() =>
        new(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));

    /// <summary>A state type shaped like the grains' states.</summary>
    public sealed class RunRecord
    {
        public string Name { get; set; } = "";
        public int Attempts { get; set; }
        public Dictionary<string, string> Labels { get; set; } = [];
    }
}
