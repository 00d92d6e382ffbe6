using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Reporting;

namespace Orchestrator.LoadTests.Submit;

/// <summary>The submit benchmark on a Redis cluster of several silos started here, then on one embedded server, in the
/// same run with the same load, and the scaling between them (cluster submissions/s over one silo's).</summary>
/// <param name="launch">How to start a server; the cluster's get the redis profile on top.</param>
/// <param name="silos">Servers in the cluster.</param>
/// <param name="settings">The benchmark's settings, the same for both.</param>
/// <param name="output">Where the report goes.</param>
internal sealed class SubmitScaling(ServerLaunch launch, int silos, SubmitSettings settings, TextWriter output)
{
    /// <summary>Most silos a run may start (each a server process on this machine).</summary>
    public const int MaxSilos = 5;

    /// <summary>Measures the cluster, stops it, measures one embedded server, prints the comparison; 0 when every call
    /// of both succeeded.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var cluster = await MeasureClusterAsync(cancellationToken);
        output.WriteLine();
        output.WriteLine("=== one embedded server (the default profile) ===");
        SubmitOutcome single;
        await using (var server = await ServerUnderTest.StartAsync(launch, cancellationToken))
        {
            output.WriteLine($"server: {server.Description}");
            single = await new SubmitBenchmark([server], settings, output).MeasureAsync(cancellationToken);
        }

        var scaling = single.Submit.PerSecond > 0 ? cluster.Submit.PerSecond / single.Submit.PerSecond : 0;
        var echoScaling = single.Echo.PerSecond > 0 ? cluster.Echo.PerSecond / single.Echo.PerSecond : 0;
        output.WriteLine();
        output.WriteLine($"=== {SiloCount} on Redis against one embedded silo (medians of {settings.Rounds} round(s)) ===");
        var table = new TextTable("servers", "submits/s", "p50 ms", "p99 ms", "echo/s", "echo p50 ms", "submit/echo", "errors");
        foreach (var (name, o) in new[] { ($"{SiloCount}, redis", cluster), ("1 silo, embedded", single) })
        {
            table.Add(name, Numbers.Whole(o.Submit.PerSecond), Numbers.Fixed(o.Submit.P50Ms), Numbers.Fixed(o.Submit.P99Ms),
                Numbers.Whole(o.Echo.PerSecond), Numbers.Fixed(o.Echo.P50Ms), Numbers.Percent(o.SubmitToEcho), Numbers.Whole(o.Submit.Errors + o.Echo.Errors));
        }

        table.WriteTo(output);
        output.WriteLine();
        output.WriteLine($"scaling {SiloCount} / 1 silo: submits {Numbers.Fixed(scaling, 2)}x, echo {Numbers.Fixed(echoScaling, 2)}x " +
            $"on {Environment.ProcessorCount} cores (every server, Redis and the load generator share them); load average at the end: {MachineLoad.LoadAverage()}");
        var ok = cluster.ExitCode == 0 && single.ExitCode == 0;
        if (!ok) output.WriteLine("FAILED: a call failed; every call must succeed.");
        output.WriteLine(JsonLine.Of(new
        {
            Benchmark = "submit-scaling",
            Cores = Environment.ProcessorCount,
            LoadAverageAtEnd = MachineLoad.LoadAverage(),
            Silos = silos,
            settings.Shape.Callers,
            settings.Shape.Channels,
            settings.Rounds,
            Cluster = cluster,
            Single = single,
            SubmitScaling = Numbers.Round(scaling, 4),
            EchoScaling = Numbers.Round(echoScaling, 4),
            Ok = ok,
        }));
        return ok ? 0 : 1;
    }

    private string SiloCount => silos == 1 ? "1 silo" : $"{silos} silos";

    private async Task<SubmitOutcome> MeasureClusterAsync(CancellationToken cancellationToken)
    {
        output.WriteLine($"=== {SiloCount} in the redis profile, one Redis ===");
        await using var redis = await RedisUnderTest.StartAsync(cancellationToken);
        output.WriteLine($"redis: {redis.Description}");
        var servers = new List<ServerUnderTest>();
        try
        {
            // One at a time: each joins the membership table the ones before it wrote, as cluster.sh starts them.
            for (var n = 1; n <= silos; n++)
            {
                var member = launch with { ExtraArguments = [.. launch.ExtraArguments, "--profile", "redis", "--redis", redis.Endpoint] };
                var server = await ServerUnderTest.StartAsync(member, cancellationToken);
                servers.Add(server);
                output.WriteLine($"silo {n}: {server.Description}");
            }

            redis.ThrowIfExited();
            return await new SubmitBenchmark(servers, settings, output).MeasureAsync(cancellationToken);
        }
        finally
        {
            // The servers before Redis, so none of them spends its last moments retrying a vanished Redis.
            foreach (var server in servers) await server.DisposeAsync();
        }
    }
}
