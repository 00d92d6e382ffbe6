using System.Globalization;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Storage;

namespace Orchestrator.Grains.Pipelines;

/// <summary>Keeps a pipeline's versions. Validation is Core's; this grain only stores, finds and guards deletion.</summary>
public sealed class PipelineGrain(
    [PersistentState("pipeline")] IPersistentState<PipelineState> state,
    IRunIndex runIndex,
    PipelineDefinitionCache definitions,
    TimeProvider time) : Grain, IPipelineGrain
{
    private (string Tenant, string Name) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    /// <inheritdoc />
    public async Task<CreateVersionResult> CreateVersionAsync(PipelineSpec spec, string description, string actor)
    {
        var definition = definitions.Validate(spec);
        var (tenant, name) = Key;
        if (definition.Name != name)
            throw OrchestratorException.Invalid("name", $"the spec is named '{definition.Name}' but was sent for pipeline '{name}'");

        var existing = state.State.Versions.FirstOrDefault(v => v.Digest == definition.Digest);
        if (existing is not null) return new CreateVersionResult(existing, AlreadyExisted: true);

        var version = new PipelineVersionRecord
        {
            Tenant = tenant,
            Name = name,
            Version = state.State.Versions.Count == 0 ? 1 : state.State.Versions[^1].Version + 1,
            Digest = definition.Digest,
            Spec = spec,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor,
            Description = description,
        };
        state.State.Versions.Add(version);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Versions.RemoveAt(state.State.Versions.Count - 1);
            throw;
        }

        await GrainFactory.GetGrain<IPipelineCatalogGrain>(PipelineCatalogGrain.Key).UpsertAsync(Summary());
        return new CreateVersionResult(version, AlreadyExisted: false);
    }

    /// <inheritdoc />
    public Task<PipelineVersionRecord> GetVersionAsync(string version) => Task.FromResult(Find(version));

    /// <inheritdoc />
    public Task<IReadOnlyList<PipelineVersionRecord>> ListVersionsAsync()
    {
        if (state.State.Versions.Count == 0) throw NotFound();
        return Task.FromResult<IReadOnlyList<PipelineVersionRecord>>([.. state.State.Versions.AsEnumerable().Reverse()]);
    }

    /// <inheritdoc />
    public async Task<int> DeleteAsync(string actor)
    {
        if (state.State.Versions.Count == 0) throw NotFound();
        var (tenant, name) = Key;
        var active = await runIndex.CountActiveAsync(tenant, name);
        if (active > 0)
            throw OrchestratorException.Precondition($"pipeline {name} has {active} active run(s); cancel them or wait for them to finish, then delete");

        var count = state.State.Versions.Count;
        await state.ClearStateAsync();
        state.State = new PipelineState();
        await GrainFactory.GetGrain<IPipelineCatalogGrain>(PipelineCatalogGrain.Key).RemoveAsync(tenant, name);
        return count;
    }

    private PipelineVersionRecord Find(string version)
    {
        var versions = state.State.Versions;
        if (versions.Count == 0) throw NotFound();
        if (string.IsNullOrEmpty(version) || version == "latest") return versions[^1];
        // Eight characters or more is a digest prefix even when they are all digits (about one digest in 43
        // starts with eight decimal digits); fewer is a version number.
        if (version.Length < 8 && int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return versions.FirstOrDefault(v => v.Version == number)
                ?? throw OrchestratorException.NotFound($"pipeline {Key.Name} has no version {number}; the latest is {versions[^1].Version}");
        }

        var digest = version.StartsWith("sha256:", StringComparison.Ordinal) ? version[7..] : version;
        if (digest.Length < 8)
            throw OrchestratorException.Invalid("version", $"'{version}' is neither 'latest', a version number nor a digest prefix of at least 8 characters");
        var matches = versions.Where(v => v.Digest.StartsWith(digest, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw OrchestratorException.NotFound($"pipeline {Key.Name} has no version with digest {version}"),
            _ => throw OrchestratorException.Invalid("version", $"digest prefix {version} matches {matches.Count} versions; give more characters"),
        };
    }

    private PipelineSummaryRecord Summary()
    {
        var (tenant, name) = Key;
        var latest = state.State.Versions[^1];
        return new PipelineSummaryRecord(tenant, name, latest.Version, latest.Digest, state.State.Versions.Count, latest.CreatedAt);
    }

    private OrchestratorException NotFound() =>
        OrchestratorException.NotFound($"pipeline {Key.Name} does not exist in tenant {Key.Tenant}; create it with `orch pipeline apply -f FILE`");

    /// <summary>The grain key of a pipeline.</summary>
    public static string KeyOf(string tenant, string name) => $"{tenant}/{name}";
}
