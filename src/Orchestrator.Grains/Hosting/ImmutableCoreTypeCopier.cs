using Orleans.Serialization.Cloning;

namespace Orchestrator.Grains.Hosting;

/// <summary>Copies Core types by reference when a grain call stays inside the silo.</summary>
/// <remarks>
/// Orleans deep-copies the arguments and results of in-silo calls so that caller and callee cannot share mutable
/// state. Core's types (specs, plans, events, snapshots, capacities) are immutable records, so sharing them is safe,
/// and copying them through the JSON codec cost about 11% of the server's CPU under load (load-tests/README.md).
/// Calls between silos still serialize them as JSON.
/// </remarks>
internal sealed class ImmutableCoreTypeCopier : IGeneralizedCopier
{
    /// <inheritdoc />
    public object? DeepCopy(object? input, CopyContext context) => input;

    /// <inheritdoc />
    public bool IsSupportedType(Type type) => OrchestratorSiloExtensions.IsCoreType(type);
}
