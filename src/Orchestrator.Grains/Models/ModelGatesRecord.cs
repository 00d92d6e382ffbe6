using Orchestrator.Core.Models.Gates;

namespace Orchestrator.Grains.Models;

/// <summary>A model's gate list as answered: the gates, their revision, and who set them when.</summary>
[GenerateSerializer]
[Alias("orch.model-gates")]
public sealed record ModelGatesRecord(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<ValidationGate> Gates,
    [property: Id(3)] int Revision,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] string UpdatedBy);
