using System.Globalization;

using Orchestrator.Contracts.V1;

using Spectre.Console;

namespace Orchestrator.Cli.Rendering;

/// <summary>Nodes as a table: capacity, what is allocated, GPU utilization, liveness.</summary>
internal static class NodeTables
{
    /// <summary>One row per node: state, cordon, GPUs used/total with model, CPU and memory allocated/total, per-GPU use, last heartbeat.</summary>
    public static Table Nodes(IEnumerable<Node> nodes, DateTimeOffset now)
    {
        var table = Tables.Create("NODE", "STATE", "CORDONED", "GPUS", "CPU", "MEMORY", "GPU UTIL", "HEARTBEAT");
        foreach (var node in nodes)
        {
            table.AddRow(
                new Text(node.Name),
                new Markup($"[{StateColour(node.State)}]{EnumText.Short(node.State)}[/]"),
                new Text(Cordon(node)),
                new Text(Gpus(node)),
                new Text($"{Humanize.Cores(node.CpuMillisAllocated)}/{Humanize.Cores(node.CpuMillis)}"),
                new Text($"{Humanize.Bytes(node.MemoryBytesAllocated)}/{Humanize.Bytes(node.MemoryBytes)}"),
                new Text(Utilization(node)),
                new Text(node.LastHeartbeat is null ? "-" : $"{Humanize.Age(node.LastHeartbeat, now)} ago"));
        }

        return table;
    }

    /// <summary>The cordon column: <c>no</c>, <c>yes</c>, or where a drain stands (<c>draining</c>, <c>drained</c>).</summary>
    public static string Cordon(Node node) => node.Drain switch
    {
        DrainState.Draining => "draining",
        DrainState.Drained => "drained",
        _ => node.Cordoned ? "yes" : "no",
    };

    /// <summary>GPUs in use out of all, with the model(s): <c>3/8 NVIDIA H200</c>.</summary>
    public static string Gpus(Node node)
    {
        if (node.Gpus.Count == 0) return "0";
        var used = node.Allocations.SelectMany(a => a.GpuIndices).Distinct().Count();
        var models = string.Join(", ", node.Gpus.Select(g => g.Model).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal));
        var simulated = node.Gpus.Any(g => g.Simulated) ? " (simulated)" : "";
        return $"{used}/{node.Gpus.Count} {models}{simulated}".TrimEnd();
    }

    /// <summary>Per-GPU utilization: <c>0:97% 1:0%</c>.</summary>
    public static string Utilization(Node node) =>
        node.Utilization.Count == 0
            ? "-"
            : string.Join(' ', node.Utilization.OrderBy(u => u.Index).Select(u =>
                $"{u.Index}:{(u.Utilization * 100).ToString("0", CultureInfo.InvariantCulture)}%"));

    private static string StateColour(NodeState state) => state switch
    {
        NodeState.Ready => "green",
        NodeState.Lost => "red",
        NodeState.Disconnected => "yellow",
        _ => "grey",
    };
}
