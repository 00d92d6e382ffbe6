namespace Orchestrator.Execution.Gpus;

/// <summary>Pretend GPUs for nodes without any (<c>--simulate-gpus N</c>): scheduling and tests see real-looking devices.</summary>
public sealed class SimulatedGpus : FixedGpus
{
    /// <summary>Memory of each simulated GPU unless told otherwise: 80 GiB.</summary>
    public const long DefaultMemoryBytes = 80L << 30;

    /// <summary>Model name unless told otherwise.</summary>
    public const string DefaultModel = "Simulated GPU";

    /// <summary>Creates <paramref name="count"/> GPUs whose uuids depend only on <paramref name="nodeName"/> and the index.</summary>
    public SimulatedGpus(string nodeName, int count, string model = DefaultModel, long memoryBytes = DefaultMemoryBytes)
        : base(count, "GPU-", nodeName, model, memoryBytes > 0 ? memoryBytes : throw new ArgumentOutOfRangeException(nameof(memoryBytes), memoryBytes, "give a positive size"), simulated: true)
    {
    }
}
