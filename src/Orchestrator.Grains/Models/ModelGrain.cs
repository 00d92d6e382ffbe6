using System.Globalization;
using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Grains.Models;

/// <summary>Keeps a model's versions, aliases and audit trail. Validation, filters and comparison are Core's; this
/// grain numbers, stores, resolves references and records every change. A failed write leaves the state as it was.</summary>
public sealed partial class ModelGrain(
    [PersistentState("model")] IPersistentState<ModelState> state,
    TimeProvider time) : Grain, IModelGrain
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

    private List<ModelVersionRecord> Versions => state.State.Versions;

    /// <inheritdoc />
    public async Task<RegisterResult> RegisterVersionAsync(ModelVersionSpec spec, string requestId, string reason, string actor)
    {
        ModelVersionSpec valid;
        try
        {
            valid = ModelVersionValidator.Validate(spec);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }

        var digest = ModelVersionDigest.Of(valid);
        if (requestId.Length > 0 && state.State.RequestIds.TryGetValue(requestId, out var earlier))
        {
            var existing = Versions[earlier - 1];
            if (existing.ContentDigest != digest)
            {
                throw new OrchestratorException(ErrorKind.AlreadyExists,
                    $"request_id '{requestId}' already registered version {earlier} of model {Key.Name} with other content; use a new request_id", "request_id");
            }

            return new RegisterResult(View(existing), AlreadyExisted: true);
        }

        var now = time.GetUtcNow();
        var version = new ModelVersionRecord
        {
            Version = Versions.Count + 1, Spec = valid, ContentDigest = digest, CreatedAt = now, CreatedBy = actor, RequestId = requestId,
        };
        await ChangeAsync(
            s =>
            {
                s.Versions.Add(version);
                if (requestId.Length > 0) s.RequestIds[requestId] = version.Version;
                Record(s, now, actor, reason, ModelAuditAction.VersionRegistered, version.Version);
            },
            s =>
            {
                s.Versions.RemoveAt(s.Versions.Count - 1);
                s.RequestIds.Remove(requestId);
                s.Audit.RemoveAt(s.Audit.Count - 1);
            });
        return new RegisterResult(View(version), AlreadyExisted: false);
    }

    /// <inheritdoc />
    public Task<ModelRecord> GetAsync()
    {
        RequireAny();
        var (tenant, name) = Key;
        return Task.FromResult(new ModelRecord(tenant, name, new Dictionary<string, int>(state.State.Aliases),
            [.. Versions.AsEnumerable().Reverse().Select(View)], UpdatedAt()));
    }

    /// <inheritdoc />
    public Task<ModelVersionView> GetVersionAsync(string reference) => Task.FromResult(View(Find(reference, "version")));

    /// <inheritdoc />
    public Task<ModelVersionPage> ListVersionsAsync(ModelVersionFilter filter, int pageSize, int before)
    {
        RequireAny();
        if (filter.Alias is { } alias && !state.State.Aliases.ContainsKey(alias))
            throw OrchestratorException.NotFound($"model {Key.Name} has no alias {alias}; {KnownAliases()}");
        var start = before <= 0 ? Versions.Count : Math.Min(before - 1, Versions.Count);
        var page = new List<ModelVersionView>();
        var next = 0;
        for (var i = start - 1; i >= 0; i--)
        {
            var view = View(Versions[i]);
            if (!filter.Matches(view.Record.Spec, view.Aliases)) continue;
            if (page.Count == pageSize)
            {
                next = page[^1].Record.Version;
                break;
            }

            page.Add(view);
        }

        return Task.FromResult(new ModelVersionPage(page, next));
    }

    /// <inheritdoc />
    public async Task<AliasChangeResult> SetAliasAsync(string alias, string reference, string reason, string actor)
    {
        CheckAlias(alias);
        var target = Find(reference, "version").Version;
        var previous = state.State.Aliases.GetValueOrDefault(alias);
        if (previous == target) return new AliasChangeResult(alias, target, previous, Changed: false);

        var now = time.GetUtcNow();
        await ChangeAsync(
            s =>
            {
                s.Aliases[alias] = target;
                Record(s, now, actor, reason, previous == 0 ? ModelAuditAction.AliasSet : ModelAuditAction.AliasMoved, target, alias, previous);
            },
            s =>
            {
                if (previous == 0) s.Aliases.Remove(alias);
                else s.Aliases[alias] = previous;
                s.Audit.RemoveAt(s.Audit.Count - 1);
            });
        return new AliasChangeResult(alias, target, previous, Changed: true);
    }

    /// <inheritdoc />
    public async Task<AliasChangeResult> RemoveAliasAsync(string alias, string reason, string actor)
    {
        RequireAny();
        if (!state.State.Aliases.TryGetValue(alias, out var previous))
            throw new OrchestratorException(ErrorKind.NotFound, $"model {Key.Name} has no alias {alias}; {KnownAliases()}", "alias");

        var now = time.GetUtcNow();
        await ChangeAsync(
            s =>
            {
                s.Aliases.Remove(alias);
                Record(s, now, actor, reason, ModelAuditAction.AliasRemoved, 0, alias, previous);
            },
            s =>
            {
                s.Aliases[alias] = previous;
                s.Audit.RemoveAt(s.Audit.Count - 1);
            });
        return new AliasChangeResult(alias, 0, previous, Changed: true);
    }

    /// <inheritdoc />
    public async Task RecordAsync(ModelAuditAction action, int version, string detail, string reason, string actor)
    {
        RequireAny();
        var now = time.GetUtcNow();
        await ChangeAsync(s => Record(s, now, actor, reason, action, version, detail: detail), s => s.Audit.RemoveAt(s.Audit.Count - 1));
    }

    /// <inheritdoc />
    public Task<ModelComparisonResult> CompareAsync(string referenceA, string referenceB)
    {
        var a = View(Find(referenceA, "version_a"));
        var b = View(Find(referenceB, "version_b"));
        return Task.FromResult(new ModelComparisonResult(a, b, ModelComparison.Of(a.Record.Spec, b.Record.Spec)));
    }

    /// <inheritdoc />
    public Task<ModelAuditPage> GetAuditAsync(int pageSize, long before)
    {
        RequireAny();
        var audit = state.State.Audit;
        var end = before <= 0 ? audit.Count : (int)Math.Min(before - 1, audit.Count);
        var first = Math.Max(0, end - pageSize);
        var entries = audit.GetRange(first, end - first);
        entries.Reverse();
        return Task.FromResult(new ModelAuditPage(entries, first > 0 ? audit[first].Sequence : 0));
    }

    /// <summary>Applies a change, writes it, and undoes it when the write fails, so that nothing is half-written.</summary>
    private async Task ChangeAsync(Action<ModelState> apply, Action<ModelState> undo)
    {
        apply(state.State);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            undo(state.State);
            throw;
        }

        var (tenant, name) = Key;
        var summary = new ModelSummaryRecord(tenant, name, Versions.Count, new Dictionary<string, int>(state.State.Aliases), UpdatedAt());
        await GrainFactory.GetGrain<IModelCatalogGrain>(ModelCatalogGrain.Key).UpsertAsync(summary);
    }

    private static void Record(ModelState s, DateTimeOffset at, string actor, string reason, ModelAuditAction action, int version,
        string alias = "", int previous = 0, string detail = "") =>
        s.Audit.Add(new ModelAuditRecord
        {
            Sequence = s.Audit.Count + 1, At = at, Actor = actor, Action = action, Version = version, Alias = alias, PreviousVersion = previous,
            Reason = reason, Detail = detail,
        });

    private ModelVersionRecord Find(string reference, string field)
    {
        RequireAny();
        if (reference.Length == 0 || reference == ModelNames.Latest) return Versions[^1];
        if (reference.All(char.IsAsciiDigit) && reference.Length <= 9)
        {
            var number = int.Parse(reference, NumberStyles.None, CultureInfo.InvariantCulture);
            if (number >= 1 && number <= Versions.Count) return Versions[number - 1];
            throw new OrchestratorException(ErrorKind.NotFound,
                $"model {Key.Name} has no version {number}; it has versions 1 to {Versions.Count}", field);
        }

        if (state.State.Aliases.TryGetValue(reference, out var aliased)) return Versions[aliased - 1];
        throw new OrchestratorException(ErrorKind.NotFound,
            $"model {Key.Name} has no version or alias '{Clip(reference)}'; give a version number (1 to {Versions.Count}), 'latest', or an alias ({KnownAliases()})", field);
    }

    private static void CheckAlias(string alias)
    {
        if (!ModelNames.IsAlias(alias))
        {
            throw OrchestratorException.Invalid("alias",
                $"'{Clip(alias)}' is not an alias name: use 1-63 lowercase letters, digits and '-' (e.g. champion, challenger), not only digits and not 'latest'");
        }
    }

    private void RequireAny()
    {
        if (Versions.Count == 0)
        {
            throw OrchestratorException.NotFound(
                $"model {Key.Name} does not exist in tenant {Key.Tenant}; register a version with `orch models register {Key.Name} -f version.yaml` (see `orch models list`)");
        }
    }

    private string KnownAliases() =>
        state.State.Aliases.Count == 0 ? "it has no aliases" : "its aliases: " + string.Join(", ", state.State.Aliases.Keys.Order(StringComparer.Ordinal));

    private DateTimeOffset UpdatedAt() => state.State.Audit.Count == 0 ? default : state.State.Audit[^1].At;

    private ModelVersionView View(ModelVersionRecord record)
    {
        var (tenant, name) = Key;
        var aliases = state.State.Aliases.Where(a => a.Value == record.Version).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
        return new ModelVersionView(tenant, name, record, aliases);
    }

    private static string Clip(string text) => text.Length <= 80 ? text : text[..77] + "...";

    /// <summary>The grain key of a model.</summary>
    public static string KeyOf(string tenant, string name) => $"{tenant}/{name}";
}
