using Orchestrator.Core.Models;
using Orchestrator.Core.Models.Gates;

namespace Orchestrator.Grains.Models;

/// <summary>One registered model (key <c>tenant/name</c>): its numbered versions, aliases and audit trail.</summary>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>Validates the spec and stores it as the next version; a retried call with the same request id and content returns that version.</summary>
    Task<RegisterResult> RegisterVersionAsync(ModelVersionSpec spec, string requestId, string reason, string actor);

    /// <summary>The model: aliases and every version, newest first.</summary>
    Task<ModelRecord> GetAsync();

    /// <summary>One version: <c>latest</c> (or empty), a number, or an alias.</summary>
    Task<ModelVersionView> GetVersionAsync(string reference);

    /// <summary>Versions passing <paramref name="filter"/>, newest first, at most <paramref name="pageSize"/> of them
    /// numbered below <paramref name="before"/> (0: from the newest).</summary>
    Task<ModelVersionPage> ListVersionsAsync(ModelVersionFilter filter, int pageSize, int before);

    /// <summary>Points <paramref name="alias"/> at the version <paramref name="reference"/> names (creating or moving it).</summary>
    Task<AliasChangeResult> SetAliasAsync(string alias, string reference, string reason, string actor);

    /// <summary>Removes <paramref name="alias"/>.</summary>
    Task<AliasChangeResult> RemoveAliasAsync(string alias, string reason, string actor);

    /// <summary>Two versions and their metrics and parameters side by side.</summary>
    Task<ModelComparisonResult> CompareAsync(string referenceA, string referenceB);

    /// <summary>Replaces the model's gate list (validated; an empty list clears it) and records who and why.</summary>
    Task<ModelGatesRecord> SetGatesAsync(IReadOnlyList<ValidationGate> gates, string reason, string actor);

    /// <summary>The model's gate list.</summary>
    Task<ModelGatesRecord> GetGatesAsync();

    /// <summary>Checks the version <paramref name="reference"/> names against the gates and the current champion, stores
    /// the result on the version and records it in the audit trail.</summary>
    Task<GateEvaluation> EvaluateGatesAsync(string reference, string reason, string actor);

    /// <summary>Adds an audit entry for a change made elsewhere (retraining, rollout); <paramref name="version"/> is the
    /// version it concerns, 0 for none.</summary>
    Task RecordAsync(ModelAuditAction action, int version, string detail, string reason, string actor);

    /// <summary>Audit entries newest first, at most <paramref name="pageSize"/> with a sequence below <paramref name="before"/> (0: from the newest).</summary>
    Task<ModelAuditPage> GetAuditAsync(int pageSize, long before);
}
