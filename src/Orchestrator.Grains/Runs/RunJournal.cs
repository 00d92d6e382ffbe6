using Orchestrator.Core.Runs;
using Orleans.Storage;

namespace Orchestrator.Grains.Runs;

/// <summary>A run's durable record: its definition, written once, and its events in fixed-size chunks.</summary>
/// <remarks>
/// Each transition rewrites only the current chunk (at most <see cref="ChunkSize"/> events), so persisting a step
/// transition costs the same in a run of 10 steps as in one of 10,000. It goes through Orleans' <see cref="IGrainStorage"/>
/// under the state names <c>run-def</c> and <c>run-events-N</c>, so any grain storage provider (files, Redis) holds it.
/// </remarks>
internal sealed class RunJournal(IGrainStorage storage, GrainId grainId)
{
    /// <summary>Events per stored chunk.</summary>
    public const int ChunkSize = 32;

    private readonly GrainState<RunDefinitionRecord> _definition = new(new RunDefinitionRecord());
    private GrainState<EventChunk> _current = new(new EventChunk());
    private int _currentIndex;

    /// <summary>The definition, or null for a run that was never created.</summary>
    public RunDefinition? Definition => _definition.RecordExists ? _definition.State!.Definition : null;

    /// <summary>Reads the definition and every event.</summary>
    public async Task<List<RunEvent>> LoadAsync()
    {
        await storage.ReadStateAsync("run-def", grainId, _definition);
        var events = new List<RunEvent>();
        if (!_definition.RecordExists) return events;
        for (var index = 0; ; index++)
        {
            var chunk = new GrainState<EventChunk>(new EventChunk());
            await storage.ReadStateAsync(ChunkName(index), grainId, chunk);
            if (!chunk.RecordExists) break;

            events.AddRange(chunk.State!.Events);
            (_current, _currentIndex) = (chunk, index);
        }

        return events;
    }

    /// <summary>Writes the definition; refused when one exists.</summary>
    public Task CreateAsync(RunDefinition definition)
    {
        _definition.State = new RunDefinitionRecord { Definition = definition };
        return storage.WriteStateAsync("run-def", grainId, _definition);
    }

    /// <summary>Appends events durably; on failure nothing is kept in memory either. The chunks of a large batch are
    /// written together, so they share the store's group commit.</summary>
    public async Task AppendAsync(IReadOnlyList<RunEvent> events)
    {
        var writes = new List<Task>();
        var rollback = new List<(GrainState<EventChunk> Chunk, int Count)>();
        var offset = 0;
        try
        {
            while (offset < events.Count)
            {
                if (_current.State!.Events.Count >= ChunkSize)
                {
                    _current = new GrainState<EventChunk>(new EventChunk());
                    _currentIndex++;
                }

                var take = Math.Min(ChunkSize - _current.State!.Events.Count, events.Count - offset);
                rollback.Add((_current, _current.State.Events.Count));
                _current.State.Events.AddRange(events.Skip(offset).Take(take));
                writes.Add(storage.WriteStateAsync(ChunkName(_currentIndex), grainId, _current));
                offset += take;
            }

            await Task.WhenAll(writes);
        }
        catch
        {
            // The grain gives up this activation after a failed append (see RunGrain.FlushAsync); this only keeps
            // the object consistent for the record.
            foreach (var (chunk, count) in rollback) chunk.State!.Events.RemoveRange(count, chunk.State.Events.Count - count);
            throw;
        }
    }

    private static string ChunkName(int index) => $"run-events-{index}";
}

/// <summary>Stored definition of a run.</summary>
[GenerateSerializer]
[Alias("orch.run-definition")]
public sealed class RunDefinitionRecord
{
    /// <summary>The definition.</summary>
    [Id(0)] public RunDefinition? Definition { get; set; }
}

/// <summary>Stored chunk of a run's events.</summary>
[GenerateSerializer]
[Alias("orch.run-event-chunk")]
public sealed class EventChunk
{
    /// <summary>Up to <see cref="RunJournal.ChunkSize"/> events in order.</summary>
    [Id(0)] public List<RunEvent> Events { get; set; } = [];
}
