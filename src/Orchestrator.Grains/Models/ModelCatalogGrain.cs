namespace Orchestrator.Grains.Models;

/// <summary>The list of all models (one grain: models change rarely).</summary>
public interface IModelCatalogGrain : IGrainWithStringKey
{
    /// <summary>Adds or updates a model's summary.</summary>
    Task UpsertAsync(ModelSummaryRecord summary);

    /// <summary>Models, of one tenant when given, ordered by tenant and name.</summary>
    Task<IReadOnlyList<ModelSummaryRecord>> ListAsync(string? tenant);
}

/// <summary>What the model list shows.</summary>
[GenerateSerializer]
[Alias("orch.model-summary")]
public sealed record ModelSummaryRecord(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Name,
    [property: Id(2)] int LatestVersion,
    [property: Id(3)] IReadOnlyDictionary<string, int> Aliases,
    [property: Id(4)] DateTimeOffset UpdatedAt);

/// <summary>Stored state of the model catalog.</summary>
[GenerateSerializer]
[Alias("orch.model-catalog-state")]
public sealed class ModelCatalogState
{
    /// <summary>Summaries by <c>tenant/name</c>.</summary>
    [Id(0)] public Dictionary<string, ModelSummaryRecord> Models { get; set; } = [];
}

/// <summary>Keeps the list of models.</summary>
public sealed class ModelCatalogGrain([PersistentState("model-catalog")] IPersistentState<ModelCatalogState> state)
    : Grain, IModelCatalogGrain
{
    /// <summary>The one catalog's key.</summary>
    public const string Key = "all";

    /// <inheritdoc />
    public async Task UpsertAsync(ModelSummaryRecord summary)
    {
        state.State.Models[ModelGrain.KeyOf(summary.Tenant, summary.Name)] = summary;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ModelSummaryRecord>> ListAsync(string? tenant) =>
        Task.FromResult<IReadOnlyList<ModelSummaryRecord>>(
        [
            .. state.State.Models.Values
                .Where(m => string.IsNullOrEmpty(tenant) || m.Tenant == tenant)
                .OrderBy(m => m.Tenant, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal),
        ]);
}
