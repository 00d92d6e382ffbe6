using Grpc.Net.Client;
using Orchestrator.Contracts.V1;
using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Measurement;
using Orchestrator.LoadTests.Reporting;

namespace Orchestrator.LoadTests.Ingest;

/// <summary>Prediction records per second through StreamPredictions end to end (gateway, monitor grains, windows), in
/// both forms of a batch (records with maps, and columns), each beside a raw sink of the same bytes on the same server,
/// in alternating rounds; then checks that the monitors counted every record sent.</summary>
internal sealed class IngestBenchmark(ServerUnderTest server, IngestSettings settings, TextWriter output)
{
    private const string Records = "records";
    private const string Columns = "columns";
    private const string RecordsSink = "records-sink";
    private const string ColumnsSink = "columns-sink";

    /// <summary>Runs every round and the final check; 0 when every record was taken and counted.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var channels = LoadChannels.Open(server.Address, settings.Channels);
        try
        {
            return await RunAsync(channels, cancellationToken);
        }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
        }
    }

    private async Task<int> RunAsync(GrpcChannel[] channels, CancellationToken cancellationToken)
    {
        var workload = IngestWorkload.Create(settings);
        var models = new ModelService.ModelServiceClient(channels[0]);
        for (var m = 0; m < settings.Models; m++)
        {
            var spec = new ModelVersionSpec { Artifact = new ModelArtifact { Digest = new string('a', 64), SizeBytes = 1024 }, Profile = workload.Profile };
            var registered = await models.RegisterModelVersionAsync(
                new RegisterModelVersionRequest { Tenant = settings.Tenant, Name = IngestWorkload.ModelName(m), Version = spec }, cancellationToken: cancellationToken);
            await models.SetAliasAsync(new SetAliasRequest
            {
                Tenant = settings.Tenant, Name = IngestWorkload.ModelName(m), Alias = "champion", Version = registered.Version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, cancellationToken: cancellationToken);
        }

        output.WriteLine($"{settings.Models} models ({settings.Tenant}/{IngestWorkload.ModelName(0)} ...), each champion with a baseline of {settings.Features} numeric features; " +
            $"monitor windows of 10,000 records. Batches of {Numbers.Whole(settings.BatchRecords)} records with request ids and predictions, " +
            $"{settings.Streams} streams over {settings.Channels} channel(s), the models in turn.");
        output.WriteLine($"Encoded batch: records {Numbers.Whole(workload.Records[0].Length)} bytes, columns {Numbers.Whole(workload.Columns[0].Length)} bytes; " +
            "the sinks take the same bytes wrapped in one bytes field and only count them.");
        output.WriteLine($"Each window {settings.WarmUp.TotalSeconds:0.#} s warm-up + {settings.Duration.TotalSeconds:0.#} s measured; {settings.Rounds} round(s) after " +
            $"{settings.ServerWarmUp.TotalSeconds:0.#} s of each path to warm the server up.");
        output.WriteLine();

        var sentPerModel = new long[settings.Models];
        if (settings.ServerWarmUp > TimeSpan.Zero)
        {
            var warm = new List<StreamWindow>();
            foreach (var path in settings.Paths) warm.Add(await RunPathAsync(path, channels, workload, sentPerModel, TimeSpan.Zero, settings.ServerWarmUp, cancellationToken));
            output.WriteLine("server warm-up (not counted): " + string.Join(", ", warm.Select(w => $"{w.Path} {Numbers.Whole(w.RecordsPerSecond)}/s")));
        }

        var windows = new List<(int Round, StreamWindow Window)>();
        var table = new TextTable("round", "path", "records/s", "values/s", "records", "seconds", "server CPU", "bytes/record");
        for (var round = 1; round <= settings.Rounds; round++)
        {
            // Alternate the order, so no path always runs on a server warmed (or loaded) by another.
            var order = round % 2 == 1 ? settings.Paths : [.. settings.Paths.Reverse()];
            foreach (var path in order)
            {
                var window = await RunPathAsync(path, channels, workload, sentPerModel, settings.WarmUp, settings.Duration, cancellationToken);
                server.ThrowIfExited();
                windows.Add((round, window));
                output.WriteLine($"round {round} {path,-12} {Numbers.Whole(window.RecordsPerSecond),11} records/s  server CPU {Share(window.ServerCpuShare)}");
                table.Add(round.ToString(System.Globalization.CultureInfo.InvariantCulture), path, Numbers.Whole(window.RecordsPerSecond),
                    Numbers.Whole(window.RecordsPerSecond * settings.Features), Numbers.Whole(window.Records), Numbers.Fixed(window.Seconds, 2),
                    Share(window.ServerCpuShare), Numbers.Fixed(window.BytesPerRecord));
            }
        }

        var medians = settings.Paths.ToDictionary(p => p, p => MedianOf(windows.Where(w => w.Window.Path == p).Select(w => w.Window).ToList()));
        foreach (var path in settings.Paths)
        {
            var median = medians[path];
            table.Add("median", path, Numbers.Whole(median.RecordsPerSecond), Numbers.Whole(median.RecordsPerSecond * settings.Features), "", "",
                Share(median.ServerCpuShare), "");
        }

        output.WriteLine();
        table.WriteTo(output);
        output.WriteLine();
        var columnsRatio = Ratio(medians, Columns, ColumnsSink);
        var recordsRatio = Ratio(medians, Records, RecordsSink);
        var best = medians.GetValueOrDefault(Columns) ?? medians.GetValueOrDefault(Records);
        var meets = best is not null && best.RecordsPerSecond >= IngestSettings.TargetRecordsPerSecond;
        foreach (var (path, sink, ratio) in new[] { (Columns, ColumnsSink, columnsRatio), (Records, RecordsSink, recordsRatio) })
        {
            if (!medians.TryGetValue(path, out var median)) continue;
            output.WriteLine($"{path}: {Numbers.Whole(median.RecordsPerSecond)} records/s = {Numbers.Whole(median.RecordsPerSecond * settings.Features)} values/s" +
                (ratio is { } share ? $", {Numbers.Percent(share)} of {sink}" : "") +
                (path == best?.Path ? $" (target >= {Numbers.Whole(IngestSettings.TargetRecordsPerSecond)} records/s: {(meets ? "met" : "NOT met")})" : ""));
        }

        if (Ratio(medians, Columns, Records) is { } speedUp) output.WriteLine($"columns/records = {Numbers.Fixed(speedUp, 2)}x");

        var (counted, mismatches) = await CheckCountsAsync(channels[0], sentPerModel, cancellationToken);
        var sent = sentPerModel.Sum();
        output.WriteLine(mismatches.Count == 0
            ? $"monitors counted every record: {Numbers.Whole(counted)} of {Numbers.Whole(sent)} (closed windows' records + open records, over {settings.Models} models)"
            : $"FAILED: the monitors counted {Numbers.Whole(counted)} of {Numbers.Whole(sent)} records sent; {string.Join("; ", mismatches.Take(5))}");
        output.WriteLine($"load average at the end: {MachineLoad.LoadAverage()}");
        output.WriteLine(JsonLine.Of(new
        {
            Benchmark = "ingest",
            Server = server.Description,
            LoadAverageAtEnd = MachineLoad.LoadAverage(),
            settings.Models,
            settings.Features,
            settings.Streams,
            settings.Channels,
            settings.BatchRecords,
            WarmUpSeconds = settings.WarmUp.TotalSeconds,
            DurationSeconds = settings.Duration.TotalSeconds,
            settings.Rounds,
            RecordsBatchBytes = workload.Records[0].Length,
            ColumnsBatchBytes = workload.Columns[0].Length,
            Windows = windows.Select(w => new
            {
                w.Round,
                w.Window.Path,
                RecordsPerSecond = Numbers.Round(w.Window.RecordsPerSecond, 1),
                w.Window.Records,
                Seconds = Numbers.Round(w.Window.Seconds),
                ServerCpuShare = w.Window.ServerCpuShare is { } s ? Numbers.Round(s) : (double?)null,
            }),
            Medians = medians.Values.Select(m => new
            {
                m.Path,
                RecordsPerSecond = Numbers.Round(m.RecordsPerSecond, 1),
                ValuesPerSecond = Numbers.Round(m.RecordsPerSecond * settings.Features, 1),
                ServerCpuShare = m.ServerCpuShare is { } s ? Numbers.Round(s) : (double?)null,
            }),
            ColumnsToSinkRatio = columnsRatio is { } c ? Numbers.Round(c, 4) : (double?)null,
            RecordsToSinkRatio = recordsRatio is { } r ? Numbers.Round(r, 4) : (double?)null,
            TargetRecordsPerSecond = IngestSettings.TargetRecordsPerSecond,
            MeetsTarget = meets,
            RecordsSent = sent,
            RecordsCounted = counted,
            Ok = mismatches.Count == 0,
        }));
        return mismatches.Count == 0 ? 0 : 1;
    }

    private Task<StreamWindow> RunPathAsync(string path, GrpcChannel[] channels, IngestWorkload workload, long[] sentPerModel, TimeSpan warmUp, TimeSpan duration,
        CancellationToken cancellationToken) => path switch
    {
        Records => StreamWindow.RunAsync(path, channels, settings.Streams, PreEncodedStreams.StreamPredictions, workload.Records, settings.BatchRecords,
            r => r.Records / settings.BatchRecords, sentPerModel, warmUp, duration, server.ProcessId, cancellationToken),
        Columns => StreamWindow.RunAsync(path, channels, settings.Streams, PreEncodedStreams.StreamPredictions, workload.Columns, settings.BatchRecords,
            r => r.Records / settings.BatchRecords, sentPerModel, warmUp, duration, server.ProcessId, cancellationToken),
        RecordsSink => StreamWindow.RunAsync(path, channels, settings.Streams, PreEncodedStreams.Sink, workload.RecordsSink, settings.BatchRecords,
            r => r.Messages, null, warmUp, duration, server.ProcessId, cancellationToken),
        _ => StreamWindow.RunAsync(path, channels, settings.Streams, PreEncodedStreams.Sink, workload.ColumnsSink, settings.BatchRecords,
            r => r.Messages, null, warmUp, duration, server.ProcessId, cancellationToken),
    };

    /// <summary>Every model's monitor must hold what it was sent: its closed windows' records plus the open window's.</summary>
    private async Task<(long Counted, List<string> Mismatches)> CheckCountsAsync(GrpcChannel channel, long[] sentPerModel, CancellationToken cancellationToken)
    {
        var monitoring = new MonitoringService.MonitoringServiceClient(channel);
        long counted = 0;
        var mismatches = new List<string>();
        for (var m = 0; m < sentPerModel.Length; m++)
        {
            var drift = await monitoring.GetDriftAsync(new GetDriftRequest { Tenant = settings.Tenant, Model = IngestWorkload.ModelName(m), Windows = 500 },
                cancellationToken: cancellationToken);
            var total = drift.Windows.Sum(w => w.Records) + drift.OpenRecords;
            counted += total;
            if (drift.Windows.Count >= 500) mismatches.Add($"{IngestWorkload.ModelName(m)} has more windows than GetDrift returns: run shorter");
            else if (total != sentPerModel[m]) mismatches.Add($"{IngestWorkload.ModelName(m)}: sent {sentPerModel[m]:N0}, counted {total:N0}");
        }

        return (counted, mismatches);
    }

    /// <summary>The median rate and CPU share over the rounds, each taken on its own, as a one-second window.</summary>
    private static StreamWindow MedianOf(IReadOnlyList<StreamWindow> windows) => new(
        windows[0].Path,
        (long)Math.Round(Percentiles.Median(windows.Select(w => w.RecordsPerSecond))),
        1,
        windows.All(w => w.ServerCpuShare is not null) ? Percentiles.Median(windows.Select(w => w.ServerCpuShare!.Value)) : null,
        windows[0].BytesPerRecord);

    /// <summary>Path <paramref name="a"/>'s median rate over <paramref name="b"/>'s; null unless both were measured.</summary>
    private static double? Ratio(Dictionary<string, StreamWindow> medians, string a, string b) =>
        medians.TryGetValue(a, out var x) && medians.TryGetValue(b, out var y) && y.RecordsPerSecond > 0 ? x.RecordsPerSecond / y.RecordsPerSecond : null;

    private static string Share(double? share) => share is { } s ? Numbers.Percent(s) : "n/a";
}
