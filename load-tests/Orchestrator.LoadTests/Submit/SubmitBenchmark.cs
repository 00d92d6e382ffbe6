using Google.Protobuf;
using Grpc.Net.Client;
using Orchestrator.Contracts.V1;
using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Measurement;
using Orchestrator.LoadTests.Reporting;

namespace Orchestrator.LoadTests.Submit;

/// <summary>Durable submissions per second against a raw echo of the same size on the same server, in alternating
/// rounds, with the medians and their ratio. Given several servers of one cluster, the channels go to their gateways in
/// turn, so the load is spread over all of them.</summary>
internal sealed class SubmitBenchmark(IReadOnlyList<ServerUnderTest> servers, SubmitSettings settings, TextWriter output)
{
    private const string Submit = "SubmitRun";
    private const string Echo = "Echo";

    /// <summary>Runs every round; 0 when every call succeeded, 1 when any failed.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken) => (await MeasureAsync(cancellationToken)).ExitCode;

    /// <summary>Runs every round and returns the medians beside the exit code.</summary>
    public async Task<SubmitOutcome> MeasureAsync(CancellationToken cancellationToken)
    {
        var channels = Enumerable.Range(0, settings.Shape.Channels).Select(i => LoadChannels.Open(servers[i % servers.Count].Address)).ToArray();
        try
        {
            return await RunAsync(channels, cancellationToken);
        }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
        }
    }

    private async Task<SubmitOutcome> RunAsync(GrpcChannel[] channels, CancellationToken cancellationToken)
    {
        var version = await new PipelineService.PipelineServiceClient(channels[0]).CreatePipelineVersionAsync(
            new CreatePipelineVersionRequest { Tenant = settings.Tenant, Spec = UnplaceablePipeline.Spec() }, cancellationToken: cancellationToken);
        var nodes = await new NodeService.NodeServiceClient(channels[0]).ListNodesAsync(new ListNodesRequest(), cancellationToken: cancellationToken);
        var ready = nodes.Nodes.Count(n => n.State == NodeState.Ready);
        output.WriteLine($"Pipeline {settings.Tenant}/{version.Version.Name} v{version.Version.Version}: one step asking for 1 GPU of model " +
            $"'{UnplaceablePipeline.GpuModel}'; {(servers.All(s => s.StartedHere) ? "no agent is connected" : $"{ready} node(s) ready, none with that model")}.");
        output.WriteLine("Its step cannot be placed: every submitted run stays Pending with its step queued (Ready) in the scheduler; nothing runs.");

        var submit = new SubmitRunRequest { Tenant = settings.Tenant, Pipeline = UnplaceablePipeline.Name, SubmittedBy = "load-tests" };
        var echo = EchoOfSize(submit.CalculateSize());
        output.WriteLine($"SubmitRunRequest: {submit.CalculateSize()} bytes; EchoRequest: {echo.CalculateSize()} bytes.");
        var runs = channels.Select(c => new RunService.RunServiceClient(c)).ToArray();
        var diagnostics = channels.Select(c => new DiagnosticsService.DiagnosticsServiceClient(c)).ToArray();
        var shape = settings.Shape;
        long warmUpErrors = 0;
        if (servers.Count > 1)
            output.WriteLine($"The channels go to the {servers.Count} gateways in turn: {string.Join(", ", servers.Select((s, i) => $"{s.Address} x{Enumerable.Range(0, shape.Channels).Count(c => c % servers.Count == i)}"))}.");
        output.WriteLine($"{shape.Callers} callers over {shape.Channels} channel(s); each window {shape.WarmUp.TotalSeconds:0.#} s warm-up + {shape.Duration.TotalSeconds:0.#} s measured" +
            $" (at most {Numbers.Whole(shape.MaxCalls)} calls); {settings.Rounds} round(s) after {settings.ServerWarmUp.TotalSeconds:0.#} s of each call to warm the server up.");
        output.WriteLine();

        if (settings.ServerWarmUp > TimeSpan.Zero)
        {
            var warmUp = shape with { WarmUp = TimeSpan.Zero, Duration = settings.ServerWarmUp };
            var warmSubmit = await ClosedLoopLoad.RunAsync(Submit, warmUp, (i, deadline, ct) => runs[i % runs.Length].SubmitRunAsync(submit, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken);
            var warmEcho = await ClosedLoopLoad.RunAsync(Echo, warmUp, (i, deadline, ct) => diagnostics[i % diagnostics.Length].EchoAsync(echo, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken);
            ThrowIfAnyExited();
            output.WriteLine($"server warm-up (not counted): {Submit} {Numbers.Whole(warmSubmit.PerSecond)}/s, {Echo} {Numbers.Whole(warmEcho.PerSecond)}/s, " +
                $"errors {warmSubmit.Errors + warmEcho.Errors}");
            foreach (var sample in warmSubmit.ErrorSamples.Concat(warmEcho.ErrorSamples)) output.WriteLine($"  error: {sample}");
            warmUpErrors = warmSubmit.Errors + warmEcho.Errors;
        }

        var results = new List<(int Round, WindowResult Result)>();
        var table = new TextTable("round", "call", "calls/s", "calls", "p50 ms", "p99 ms", "max ms", "errors");
        for (var round = 1; round <= settings.Rounds; round++)
        {
            // Alternate which goes first, so neither always runs on a server warmed (or loaded) by the other.
            var order = round % 2 == 1 ? new[] { Submit, Echo } : [Echo, Submit];
            foreach (var kind in order)
            {
                var result = kind == Submit
                    ? await ClosedLoopLoad.RunAsync(Submit, shape, (i, deadline, ct) => runs[i % runs.Length].SubmitRunAsync(submit, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken)
                    : await ClosedLoopLoad.RunAsync(Echo, shape, (i, deadline, ct) => diagnostics[i % diagnostics.Length].EchoAsync(echo, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken);
                ThrowIfAnyExited();
                results.Add((round, result));
                output.WriteLine($"round {round} {kind,-9} {Numbers.Whole(result.PerSecond),8}/s  p50 {Numbers.Fixed(result.P50Ms)} ms  p99 {Numbers.Fixed(result.P99Ms)} ms  errors {result.Errors}");
                foreach (var sample in result.ErrorSamples) output.WriteLine($"  error: {sample}");
                table.Add(round.ToString(System.Globalization.CultureInfo.InvariantCulture), kind, Numbers.Whole(result.PerSecond), Numbers.Whole(result.Calls),
                    Numbers.Fixed(result.P50Ms), Numbers.Fixed(result.P99Ms), Numbers.Fixed(result.MaxMs), Numbers.Whole(result.Errors));
            }
        }

        var submitMedian = MedianOf(results.Where(r => r.Result.Name == Submit).Select(r => r.Result).ToList());
        var echoMedian = MedianOf(results.Where(r => r.Result.Name == Echo).Select(r => r.Result).ToList());
        var ratio = echoMedian.PerSecond > 0 ? submitMedian.PerSecond / echoMedian.PerSecond : 0;
        var errors = results.Sum(r => r.Result.Errors) + warmUpErrors;
        foreach (var median in new[] { submitMedian, echoMedian })
        {
            table.Add("median", median.Call, Numbers.Whole(median.PerSecond), "", Numbers.Fixed(median.P50Ms),
                Numbers.Fixed(median.P99Ms), Numbers.Fixed(median.MaxMs), Numbers.Whole(median.Errors));
        }

        output.WriteLine();
        table.WriteTo(output);
        output.WriteLine();
        var meetsRate = submitMedian.PerSecond >= SubmitSettings.TargetPerSecond;
        var meetsRatio = ratio >= SubmitSettings.TargetShareOfEcho;
        output.WriteLine($"submit/echo = {Numbers.Percent(ratio)} (target >= {Numbers.Percent(SubmitSettings.TargetShareOfEcho)}: {(meetsRatio ? "met" : "NOT met")}); " +
            $"submissions/s = {Numbers.Whole(submitMedian.PerSecond)} (target >= {Numbers.Whole(SubmitSettings.TargetPerSecond)}: {(meetsRate ? "met" : "NOT met")})");
        if (errors > 0) output.WriteLine($"FAILED: {errors} call(s) failed; every call must succeed.");
        if (!servers.All(s => s.StartedHere))
            output.WriteLine($"Note: the runs submitted stay queued on {string.Join(", ", servers.Select(s => s.Address))} (pipeline {settings.Tenant}/{UnplaceablePipeline.Name}).");

        output.WriteLine($"load average at the end: {MachineLoad.LoadAverage()}");
        output.WriteLine(JsonLine.Of(new
        {
            Benchmark = "submit",
            Server = string.Join("; ", servers.Select(s => s.Description)),
            Servers = servers.Count,
            LoadAverageAtEnd = MachineLoad.LoadAverage(),
            shape.Callers,
            shape.Channels,
            WarmUpSeconds = shape.WarmUp.TotalSeconds,
            DurationSeconds = shape.Duration.TotalSeconds,
            settings.Rounds,
            ServerWarmUpSeconds = settings.ServerWarmUp.TotalSeconds,
            SubmitRequestBytes = submit.CalculateSize(),
            EchoRequestBytes = echo.CalculateSize(),
            Windows = results.Select(r => Json(r.Round, r.Result)),
            Submit = submitMedian,
            Echo = echoMedian,
            SubmitToEchoRatio = Numbers.Round(ratio, 4),
            TargetPerSecond = SubmitSettings.TargetPerSecond,
            TargetRatio = SubmitSettings.TargetShareOfEcho,
            MeetsRate = meetsRate,
            MeetsRatio = meetsRatio,
            Errors = errors,
            Ok = errors == 0,
        }));
        return new SubmitOutcome(errors == 0 ? 0 : 1, submitMedian, echoMedian, Numbers.Round(ratio, 4));
    }

    private void ThrowIfAnyExited()
    {
        foreach (var server in servers) server.ThrowIfExited();
    }

    /// <summary>An echo request whose encoded size equals <paramref name="size"/> (or exceeds it by the fewest bytes).</summary>
    private static EchoRequest EchoOfSize(int size)
    {
        for (var payload = Math.Max(0, size - 2); payload >= 0; payload--)
        {
            var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[payload]) };
            if (request.CalculateSize() <= size) return request;
        }

        return new EchoRequest();
    }

    /// <summary>Median of each figure over the rounds, each taken on its own; errors are summed.</summary>
    private static Medians MedianOf(IReadOnlyList<WindowResult> windows) => new(
        windows[0].Name,
        Numbers.Round(Percentiles.Median(windows.Select(w => w.PerSecond)), 1),
        Numbers.Round(Percentiles.Median(windows.Select(w => w.P50Ms))),
        Numbers.Round(Percentiles.Median(windows.Select(w => w.P99Ms))),
        Numbers.Round(Percentiles.Median(windows.Select(w => w.MaxMs))),
        windows.Sum(w => w.Errors));


    private static object Json(int round, WindowResult r) => new
    {
        Round = round,
        Call = r.Name,
        PerSecond = Numbers.Round(r.PerSecond, 1),
        r.Calls,
        Seconds = Numbers.Round(r.Seconds),
        P50Ms = Numbers.Round(r.P50Ms),
        P99Ms = Numbers.Round(r.P99Ms),
        MaxMs = Numbers.Round(r.MaxMs),
        r.Errors,
    };
}
