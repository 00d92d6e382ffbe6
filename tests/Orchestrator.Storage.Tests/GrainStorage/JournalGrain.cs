using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Storage;

namespace Orchestrator.Storage.Tests.GrainStorage;

/// <summary>A test grain that keeps a counter in a <c>[PersistentState]</c> and events under dynamic state names.</summary>
public interface IJournalGrain : IGrainWithStringKey
{
    /// <summary>Adds one to the counter and persists it.</summary>
    Task<int> IncrementAsync();

    /// <summary>The counter.</summary>
    Task<int> GetCountAsync();

    /// <summary>Clears the counter's stored state.</summary>
    Task ClearCountAsync();

    /// <summary>Stores <paramref name="text"/> under the state name <c>events-&lt;segment&gt;</c>.</summary>
    Task WriteEventsAsync(int segment, string text);

    /// <summary>The text stored under <c>events-&lt;segment&gt;</c>, or null.</summary>
    Task<string?> ReadEventsAsync(int segment);
}

/// <summary>Persistent counter state.</summary>
[GenerateSerializer]
public sealed class CounterState
{
    /// <summary>The count.</summary>
    [Id(0)]
    public int Count { get; set; }
}

/// <summary>One segment of events.</summary>
[GenerateSerializer]
public sealed class EventSegment
{
    /// <summary>The events, as text.</summary>
    [Id(0)]
    public string Text { get; set; } = "";
}

/// <summary>Implements <see cref="IJournalGrain"/> on the default grain storage.</summary>
public sealed class JournalGrain([PersistentState("counter")] IPersistentState<CounterState> counter, IServiceProvider services) : Grain, IJournalGrain
{
    private readonly IGrainStorage _storage = services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);

    public async Task<int> IncrementAsync()
    {
        counter.State.Count++;
        await counter.WriteStateAsync();
        return counter.State.Count;
    }

    public Task<int> GetCountAsync() => Task.FromResult(counter.State.Count);

    public Task ClearCountAsync() => counter.ClearStateAsync();

    public async Task WriteEventsAsync(int segment, string text)
    {
        var state = new GrainState<EventSegment>(new EventSegment());
        await _storage.ReadStateAsync($"events-{segment}", this.GetGrainId(), state);
        state.State = new EventSegment { Text = text };
        await _storage.WriteStateAsync($"events-{segment}", this.GetGrainId(), state);
    }

    public async Task<string?> ReadEventsAsync(int segment)
    {
        var state = new GrainState<EventSegment>(new EventSegment());
        await _storage.ReadStateAsync($"events-{segment}", this.GetGrainId(), state);
        return state.RecordExists ? state.State!.Text : null;
    }
}
