namespace Orchestrator.Execution.Gpus;

/// <summary>How busy one GPU is at the moment of a heartbeat.</summary>
/// <param name="Index">The GPU's index.</param>
/// <param name="Utilization">Fraction of time a kernel ran, 0..1.</param>
/// <param name="MemoryUsedBytes">Device memory in use, in bytes.</param>
public sealed record GpuUtilizationSample(int Index, double Utilization, long MemoryUsedBytes);
