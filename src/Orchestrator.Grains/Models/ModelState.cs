using Orchestrator.Core.Models.Gates;

namespace Orchestrator.Grains.Models;

/// <summary>Stored state of a model grain.</summary>
[GenerateSerializer]
[Alias("orch.model-state")]
public sealed class ModelState
{
    /// <summary>Versions, oldest first (version n is at index n - 1).</summary>
    [Id(0)] public List<ModelVersionRecord> Versions { get; set; } = [];
    /// <summary>Alias to version number.</summary>
    [Id(1)] public Dictionary<string, int> Aliases { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Every change, oldest first (sequence n is at index n - 1).</summary>
    [Id(2)] public List<ModelAuditRecord> Audit { get; set; } = [];
    /// <summary>Request id to the version it registered.</summary>
    [Id(3)] public Dictionary<string, int> RequestIds { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The gates a version must pass before promotion, validated; empty when none are set.</summary>
    [Id(4)] public List<ValidationGate> Gates { get; set; } = [];
    /// <summary>1, 2, 3... per change of the gate list; 0 before the first.</summary>
    [Id(5)] public int GatesRevision { get; set; }
    /// <summary>When the gate list was last set.</summary>
    [Id(6)] public DateTimeOffset GatesUpdatedAt { get; set; }
    /// <summary>Who last set the gate list.</summary>
    [Id(7)] public string GatesUpdatedBy { get; set; } = "";
}
