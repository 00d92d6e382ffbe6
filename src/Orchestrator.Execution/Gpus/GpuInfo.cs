namespace Orchestrator.Execution.Gpus;

/// <summary>One GPU of this node as it is registered with the control plane.</summary>
/// <param name="Index">The index CUDA_VISIBLE_DEVICES refers to.</param>
/// <param name="Uuid">The driver's stable identifier (<c>GPU-…</c>).</param>
/// <param name="Model">Product name, e.g. <c>NVIDIA H200</c>.</param>
/// <param name="MemoryBytes">Total device memory in bytes.</param>
/// <param name="Simulated">True when no real device backs it (<c>--simulate-gpus</c>).</param>
public sealed record GpuInfo(int Index, string Uuid, string Model, long MemoryBytes, bool Simulated);
