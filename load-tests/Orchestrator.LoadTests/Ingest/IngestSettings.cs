namespace Orchestrator.LoadTests.Ingest;

/// <summary>Settings of the ingest benchmark.</summary>
/// <param name="Models">Models registered, each with a baseline of <paramref name="Features"/> numeric features; batches go to them in turn.</param>
/// <param name="Features">Numeric features per record.</param>
/// <param name="Streams">Concurrent client streams.</param>
/// <param name="Channels">gRPC channels (HTTP/2 connections) the streams share.</param>
/// <param name="BatchRecords">Records per batch.</param>
/// <param name="WarmUp">Streaming before each measured window (records sent then are not counted).</param>
/// <param name="Duration">Measured time per window.</param>
/// <param name="Rounds">Rounds, each one window of every path.</param>
/// <param name="ServerWarmUp">Streaming of every path before the first round, not counted.</param>
/// <param name="Tenant">Tenant of the models.</param>
/// <param name="Paths">The paths measured, in the order of the first round: columns, columns-sink, records, records-sink.</param>
internal sealed record IngestSettings(int Models, int Features, int Streams, int Channels, int BatchRecords, TimeSpan WarmUp, TimeSpan Duration, int Rounds,
    TimeSpan ServerWarmUp, string Tenant, IReadOnlyList<string> Paths)
{
    /// <summary>Every path, in the default order.</summary>
    public static readonly IReadOnlyList<string> AllPaths = ["columns", "columns-sink", "records", "records-sink"];

    /// <summary>The end-to-end target: records of 20 features per second.</summary>
    public const double TargetRecordsPerSecond = 200_000;
}
