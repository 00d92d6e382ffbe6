namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>The trace formats the simulator reads.</summary>
public enum TraceFormat
{
    /// <summary>Muri's <c>cluster_trace.csv</c>: times in milliseconds, <c>num_gpu</c>, <c>model_name</c>.</summary>
    Muri,

    /// <summary>The Philly trace as the Pollux artifact ships it: <c>timestamp</c> as a date, <c>duration</c> in
    /// seconds, <c>num_gpus</c>, <c>cluster</c> (the tenant).</summary>
    Philly,

    /// <summary>The Tiresias artifact's job files (<c>60_job.csv</c>): <c>num_gpu</c>, <c>submit_time</c> and
    /// <c>duration</c> in seconds.</summary>
    Tiresias,
}

/// <summary>One job of a trace, in the trace's own terms.</summary>
/// <param name="Id">The trace's job id (or its line number when the trace has none).</param>
/// <param name="Tenant">Owning tenant ("default" when the trace has none).</param>
/// <param name="Submit">Submission time, relative to the trace's start.</param>
/// <param name="Duration">Run time on its GPUs, uninterrupted.</param>
/// <param name="Gpus">GPUs of the whole gang.</param>
/// <param name="HistoryKey">Which jobs are alike (the model name), for duration estimates; empty for none.</param>
/// <param name="Line">Line in the trace file, for messages.</param>
public sealed record TraceJob(string Id, string Tenant, TimeSpan Submit, TimeSpan Duration, int Gpus, string HistoryKey, int Line);

/// <summary>A trace read from a file: its format and its jobs in submission order (file order among equal times).</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">Its format.</param>
/// <param name="Jobs">Jobs, sorted by submission time.</param>
public sealed record SimulationTrace(string Path, TraceFormat Format, IReadOnlyList<TraceJob> Jobs);
