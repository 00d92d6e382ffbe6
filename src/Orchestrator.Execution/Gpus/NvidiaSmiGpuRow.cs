namespace Orchestrator.Execution.Gpus;

/// <summary>One GPU row of <c>nvidia-smi --query-gpu</c>; a value the driver reports as <c>[N/A]</c> is null.</summary>
/// <param name="Index">GPU index.</param>
/// <param name="Uuid">GPU uuid, empty when not reported.</param>
/// <param name="Name">Product name, empty when not reported.</param>
/// <param name="MemoryTotalBytes">Total memory in bytes.</param>
/// <param name="MemoryUsedBytes">Used memory in bytes.</param>
/// <param name="Utilization">GPU utilization, 0..1.</param>
public sealed record NvidiaSmiGpuRow(
    int Index,
    string Uuid,
    string Name,
    long? MemoryTotalBytes,
    long? MemoryUsedBytes,
    double? Utilization);

/// <summary>What parsing <c>nvidia-smi</c> output found: the GPU rows, and every line or value it could not use.</summary>
/// <param name="Gpus">GPU rows in output order.</param>
/// <param name="Problems">One message per unusable line or value, each naming the line number and its text.</param>
public sealed record NvidiaSmiQueryResult(IReadOnlyList<NvidiaSmiGpuRow> Gpus, IReadOnlyList<string> Problems);
