namespace Orchestrator.Grains.Pipelines;

/// <summary>The list of all pipelines (one grain: pipelines change rarely).</summary>
public interface IPipelineCatalogGrain : IGrainWithStringKey
{
    /// <summary>Adds or updates a pipeline's summary.</summary>
    Task UpsertAsync(PipelineSummaryRecord summary);

    /// <summary>Removes a pipeline.</summary>
    Task RemoveAsync(string tenant, string name);

    /// <summary>Pipelines, of one tenant when given, ordered by tenant and name.</summary>
    Task<IReadOnlyList<PipelineSummaryRecord>> ListAsync(string? tenant);
}

/// <summary>What the pipeline list shows.</summary>
[GenerateSerializer]
[Alias("orch.pipeline-summary")]
public sealed record PipelineSummaryRecord(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Name,
    [property: Id(2)] int LatestVersion,
    [property: Id(3)] string LatestDigest,
    [property: Id(4)] int VersionCount,
    [property: Id(5)] DateTimeOffset UpdatedAt);

/// <summary>Stored state of the catalog.</summary>
[GenerateSerializer]
[Alias("orch.pipeline-catalog-state")]
public sealed class PipelineCatalogState
{
    /// <summary>Summaries by <c>tenant/name</c>.</summary>
    [Id(0)] public Dictionary<string, PipelineSummaryRecord> Pipelines { get; set; } = [];
}

/// <summary>Keeps the list of pipelines.</summary>
public sealed class PipelineCatalogGrain([PersistentState("catalog")] IPersistentState<PipelineCatalogState> state)
    : Grain, IPipelineCatalogGrain
{
    /// <summary>The one catalog's key.</summary>
    public const string Key = "all";

    /// <inheritdoc />
    public async Task UpsertAsync(PipelineSummaryRecord summary)
    {
        state.State.Pipelines[PipelineGrain.KeyOf(summary.Tenant, summary.Name)] = summary;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string tenant, string name)
    {
        if (state.State.Pipelines.Remove(PipelineGrain.KeyOf(tenant, name))) await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PipelineSummaryRecord>> ListAsync(string? tenant) =>
        Task.FromResult<IReadOnlyList<PipelineSummaryRecord>>(
        [
            .. state.State.Pipelines.Values
                .Where(p => string.IsNullOrEmpty(tenant) || p.Tenant == tenant)
                .OrderBy(p => p.Tenant, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal),
        ]);
}
