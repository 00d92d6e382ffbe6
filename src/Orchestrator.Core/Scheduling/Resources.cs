namespace Orchestrator.Core.Scheduling;

/// <summary>GPUs, CPU and memory together: a job's total ask or a tenant's usage.</summary>
/// <param name="Gpus">GPUs.</param>
/// <param name="CpuMillis">CPU in thousandths.</param>
/// <param name="MemoryBytes">Memory.</param>
internal readonly record struct Resources(int Gpus, long CpuMillis, long MemoryBytes)
{
    public static Resources Of(GangShape shape) =>
        new(shape.Replicas * shape.PerReplica.Gpus, shape.Replicas * shape.PerReplica.CpuMillis, shape.Replicas * shape.PerReplica.MemoryBytes);

    public static Resources operator +(Resources a, Resources b) => new(a.Gpus + b.Gpus, a.CpuMillis + b.CpuMillis, a.MemoryBytes + b.MemoryBytes);

    public static Resources operator -(Resources a, Resources b) => new(a.Gpus - b.Gpus, a.CpuMillis - b.CpuMillis, a.MemoryBytes - b.MemoryBytes);

    /// <summary>True when this fits <paramref name="quota"/> in every resource the quota sets.</summary>
    public bool Within(ResourceQuota quota) =>
        Gpus <= quota.Gpus && (quota.CpuMillis is not { } cpu || CpuMillis <= cpu) && (quota.MemoryBytes is not { } memory || MemoryBytes <= memory);
}

/// <summary>What a gang needs, as a key: jobs of one shape fit or fail alike within a pass.</summary>
/// <param name="Replicas">Replicas.</param>
/// <param name="Gpus">GPUs per replica.</param>
/// <param name="CpuMillis">CPU per replica.</param>
/// <param name="MemoryBytes">Memory per replica.</param>
/// <param name="ModelKey">Upper-case GPU model, or "" for any.</param>
internal readonly record struct ShapeKey(int Replicas, int Gpus, long CpuMillis, long MemoryBytes, string ModelKey)
{
    public static ShapeKey Of(GangShape shape) => new(shape.Replicas, shape.PerReplica.Gpus, shape.PerReplica.CpuMillis,
        shape.PerReplica.MemoryBytes, GpuModels.Key(shape.PerReplica.GpuModel));

    /// <summary>Replicas of this shape that fit in the given free resources (capped at <see cref="Replicas"/>).</summary>
    public int ReplicasIn(int freeGpus, long freeCpu, long freeMemory)
    {
        var fit = (long)Replicas;
        if (Gpus > 0) fit = Math.Min(fit, freeGpus / Gpus);
        if (CpuMillis > 0) fit = Math.Min(fit, Math.Max(0, freeCpu) / CpuMillis);
        if (MemoryBytes > 0) fit = Math.Min(fit, Math.Max(0, freeMemory) / MemoryBytes);
        return (int)fit;
    }
}

/// <summary>GPU model names compared case-insensitively.</summary>
internal static class GpuModels
{
    public static string Key(string model) => model.Length == 0 ? "" : model.Trim().ToUpperInvariant();
}
