using Orchestrator.Core.Models.Gates;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Grains.Models;

/// <summary>The model grain's validation gates: the gate list, and checking a version against it.</summary>
public sealed partial class ModelGrain
{
    /// <summary>The alias whose version <c>beat_champion</c> gates compare with.</summary>
    public const string ChampionAlias = "champion";

    /// <inheritdoc />
    public async Task<ModelGatesRecord> SetGatesAsync(IReadOnlyList<ValidationGate> gates, string reason, string actor)
    {
        RequireAny();
        IReadOnlyList<ValidationGate> valid;
        try
        {
            valid = GateValidator.Validate(gates);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }

        var now = time.GetUtcNow();
        var before = (state.State.Gates, state.State.GatesRevision, state.State.GatesUpdatedAt, state.State.GatesUpdatedBy);
        var revision = before.GatesRevision + 1;
        var detail = valid.Count == 0 ? $"cleared (revision {revision})" : $"{valid.Count} gate{(valid.Count == 1 ? "" : "s")} (revision {revision})";
        await ChangeAsync(
            s =>
            {
                (s.Gates, s.GatesRevision, s.GatesUpdatedAt, s.GatesUpdatedBy) = ([.. valid], revision, now, actor);
                Record(s, now, actor, reason, ModelAuditAction.GatesSet, 0, detail: detail);
            },
            s =>
            {
                (s.Gates, s.GatesRevision, s.GatesUpdatedAt, s.GatesUpdatedBy) = before;
                s.Audit.RemoveAt(s.Audit.Count - 1);
            });
        return Gates();
    }

    /// <inheritdoc />
    public Task<ModelGatesRecord> GetGatesAsync()
    {
        RequireAny();
        return Task.FromResult(Gates());
    }

    /// <inheritdoc />
    public async Task<GateEvaluation> EvaluateGatesAsync(string reference, string reason, string actor)
    {
        var candidate = Find(reference, "version");
        GateSubject? champion = state.State.Aliases.TryGetValue(ChampionAlias, out var championVersion)
            ? new GateSubject(championVersion, Versions[championVersion - 1].Spec)
            : null;
        var now = time.GetUtcNow();
        var evaluation = GateEvaluator.Evaluate(state.State.Gates, new GateSubject(candidate.Version, candidate.Spec), champion, state.State.GatesRevision, now);
        var passed = evaluation.Results.Count(r => r.Passed);
        var detail = $"{passed} of {evaluation.Results.Count} passed, gates revision {evaluation.GatesRevision}"
            + (champion is null ? ", no champion" : $", champion version {champion.Version}");
        var index = candidate.Version - 1;
        await ChangeAsync(
            s =>
            {
                s.Versions[index] = candidate with { GateEvaluation = evaluation };
                Record(s, now, actor, reason, evaluation.Passed ? ModelAuditAction.GatesPassed : ModelAuditAction.GatesFailed, candidate.Version, detail: detail);
            },
            s =>
            {
                s.Versions[index] = candidate;
                s.Audit.RemoveAt(s.Audit.Count - 1);
            });
        return evaluation;
    }

    private ModelGatesRecord Gates()
    {
        var (tenant, name) = Key;
        return new ModelGatesRecord(tenant, name, [.. state.State.Gates], state.State.GatesRevision, state.State.GatesUpdatedAt, state.State.GatesUpdatedBy);
    }
}
