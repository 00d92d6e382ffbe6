using System.Diagnostics;

using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;
using Orchestrator.LoadTests.Measurement;

namespace Orchestrator.LoadTests.Scoring;

/// <summary>Ingestion into a monitor's window on one thread (its CPU time): records of every numeric feature binned and sampled, windows
/// of 10,000 records closing (and being scored) as they fill, as a monitor grain runs it.</summary>
internal static class IngestionMeasurement
{
    private const int BatchRecords = 1_000;

    /// <summary>Feature values per second through <see cref="MonitorWindow.AddColumns"/> in batches of 1,000 records.</summary>
    public static double ColumnsPerSecond(ScoringWorkload workload, TimeSpan time)
    {
        var window = new MonitorWindow(workload.Baseline, ModelTask.BinaryClassification, new MonitorSpec(), DateTimeOffset.UnixEpoch);
        var random = new Random(7);
        // A pool of distinct batches, so that the window's reservoir keeps taking new values.
        var batches = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, workload.Features)
            .Select(f => Enumerable.Range(0, BatchRecords).Select(_ => random.NextDouble() + f).ToArray()).ToArray()).ToArray();
        long records = 0;
        var cpu = new ThreadCpuClock();
        var wall = Stopwatch.StartNew();
        cpu.Start();
        while (wall.Elapsed < time)
        {
            window.AddColumns(batches[(int)(records / BatchRecords % batches.Length)], DateTimeOffset.UnixEpoch);
            records += BatchRecords;
        }

        cpu.Stop();
        return records * workload.Features / (cpu.ElapsedMicroseconds / 1e6);
    }

    /// <summary>Feature values per second through <see cref="MonitorWindow.Add(IReadOnlyDictionary{string, double}, IReadOnlyDictionary{string, string}, DateTimeOffset)"/>, one record (a dictionary by name) at a time.</summary>
    public static double RecordsPerSecond(ScoringWorkload workload, TimeSpan time)
    {
        var window = new MonitorWindow(workload.Baseline, ModelTask.BinaryClassification, new MonitorSpec(), DateTimeOffset.UnixEpoch);
        var random = new Random(7);
        var names = Enumerable.Range(0, workload.Features).Select(f => $"f{f}").ToArray();
        var records = Enumerable.Range(0, 4_096).Select(_ => names.Select((n, f) => (n, v: random.NextDouble() + f)).ToDictionary(x => x.n, x => x.v)).ToArray();
        var noCategories = new Dictionary<string, string>();
        long added = 0;
        var cpu = new ThreadCpuClock();
        var wall = Stopwatch.StartNew();
        cpu.Start();
        while (wall.Elapsed < time)
        {
            for (var i = 0; i < records.Length; i++) window.Add(records[i], noCategories, DateTimeOffset.UnixEpoch);
            added += records.Length;
        }

        cpu.Stop();
        return added * workload.Features / (cpu.ElapsedMicroseconds / 1e6);
    }
}
