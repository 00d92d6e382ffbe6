using System.Globalization;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage.AppendLogs;
using Orleans.Storage;

namespace Orchestrator.Storage.GrainStorage;

/// <summary>Orleans grain storage in one group-committed <see cref="AppendLog"/> under the data directory: the
/// embedded default's durable state. The key is <c>&lt;state name&gt;/&lt;grain id&gt;</c>; the ETag is the record version.</summary>
public sealed class FileGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly string _name;
    private readonly FileGrainStorageOptions _options;
    private readonly IGrainStorageSerializer _serializer;
    private readonly ILogger<FileGrainStorage> _logger;
    private AppendLog? _log;

    /// <summary>Creates the provider; the log opens when the silo lifecycle reaches <see cref="FileGrainStorageOptions.InitStage"/>.</summary>
    public FileGrainStorage(string name, FileGrainStorageOptions options, IGrainStorageSerializer serializer, ILogger<FileGrainStorage> logger)
    {
        _name = name;
        _options = options;
        _serializer = options.GrainStorageSerializer ?? serializer;
        _logger = logger;
    }

    /// <summary>The directory of this provider's log.</summary>
    public string LogDirectory => FileGrainStorageOptions.LogDirectoryFor(_options.DataDirectory, _name);

    /// <summary>Opens the log on silo start and closes it on silo stop.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<FileGrainStorage>(_name), _options.InitStage, OpenAsync, CloseAsync);

    /// <summary>Reads the state; when absent, leaves it as given with <c>RecordExists=false</c> and a null ETag.</summary>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        if (Log.TryRead(key) is not { } stored)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        T? state;
        try
        {
            state = _serializer.Deserialize<T>(new BinaryData(stored.Value));
        }
        catch (Exception e)
        {
            throw new InvalidDataException(
                $"Grain storage '{_name}' could not read state '{stateName}' of grain {grainId} as {typeof(T).Name}: {e.Message}. " +
                "The stored form no longer matches the state type; migrate it or clear the state.", e);
        }

        if (state is not null)
        {
            grainState.State = state;
        }

        grainState.ETag = FormatETag(stored.Version);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <summary>Writes the state if the stored version still matches its ETag (null ETag: must not exist), else
    /// throws <see cref="InconsistentStateException"/>; sets the new ETag once durable.</summary>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var expected = ExpectedVersion(key, grainState.ETag);
        var data = _serializer.Serialize(grainState.State);
        try
        {
            var version = await Log.PutAsync(key, data.ToMemory(), expected).ConfigureAwait(false);
            grainState.ETag = FormatETag(version);
            grainState.RecordExists = true;
        }
        catch (VersionConflictException conflict)
        {
            throw Inconsistent("write", stateName, grainId, conflict, grainState.ETag);
        }
    }

    /// <summary>Deletes the state under the same ETag check as a write; the ETag is null afterwards.</summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var expected = ExpectedVersion(key, grainState.ETag);
        try
        {
            await Log.DeleteAsync(key, expected).ConfigureAwait(false);
        }
        catch (VersionConflictException conflict)
        {
            throw Inconsistent("clear", stateName, grainId, conflict, grainState.ETag);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Closes the log if it is open.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Opens the log (the silo lifecycle's start step).</summary>
    internal async Task OpenAsync(CancellationToken cancellationToken)
    {
        var options = new AppendLogOptions { Durability = _options.Durability, CompactionThresholdBytes = _options.CompactionThresholdBytes };
        _log = await AppendLog.OpenAsync(LogDirectory, options, _logger).ConfigureAwait(false);
    }

    /// <summary>Flushes and closes the log (the silo lifecycle's stop step).</summary>
    internal async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _log, null) is { } log)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }
    }

    private AppendLog Log => _log ?? throw new InvalidOperationException(
        $"Grain storage '{_name}' is not open: it opens at silo lifecycle stage {_options.InitStage} and closes when the silo stops.");

    private static string Key(string stateName, GrainId grainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        if (stateName.Contains('/'))
        {
            // Grain ids contain '/', so a '/' in the state name could make two (state, grain) pairs share one key.
            throw new ArgumentException($"State name '{stateName}' contains '/'; use another separator such as '-'.", nameof(stateName));
        }

        return $"{stateName}/{grainId}";
    }

    private long ExpectedVersion(string key, string? etag)
    {
        if (etag is null)
        {
            return 0;
        }

        if (long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
        {
            return version;
        }

        // Not an ETag this storage issued (another provider's, or corrupted): it can never match.
        var stored = Log.TryRead(key)?.Version;
        throw new InconsistentStateException(
            $"Grain storage '{_name}': ETag '{etag}' of '{key}' was not issued by this storage; read the state again before writing.",
            stored is { } v ? FormatETag(v) : null, etag);
    }

    private InconsistentStateException Inconsistent(string operation, string stateName, GrainId grainId, VersionConflictException conflict, string? currentETag)
    {
        var storedETag = conflict.ActualVersion == 0 ? null : FormatETag(conflict.ActualVersion);
        return new InconsistentStateException(
            $"Grain storage '{_name}' refused to {operation} state '{stateName}' of grain {grainId}: it holds ETag {storedETag ?? "none (absent)"}, " +
            $"the grain has {currentETag ?? "none (expects absent)"}. Another activation or writer changed it; re-read the state.",
            storedETag, currentETag, conflict);
    }

    private static string FormatETag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
