using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using Orchestrator.Core.Scheduling.Simulation;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch sim</c>: runs the scheduling core over a cluster trace in simulated time; needs no server.</summary>
internal static class SimCommand
{
    private static readonly string[] Formats = ["auto", "muri", "philly", "tiresias"];

    /// <summary>The <c>sim</c> command.</summary>
    public static Command Create(CliApp app)
    {
        var trace = new Option<string>("--trace") { Description = "trace CSV (Muri, Philly or Tiresias format)", HelpName = "FILE", Required = true };
        var nodes = new Option<string>("--nodes")
        {
            Description = "simulated nodes as COUNTxGPUS, comma-separated groups (default 8x8)",
            HelpName = "SPEC",
            DefaultValueFactory = _ => "8x8",
        };
        var policy = new Option<string>("--policy")
        {
            Description = $"queue policy: {string.Join(", ", SimulationPolicy.Names)} (default: default)",
            HelpName = "NAME",
            DefaultValueFactory = _ => "default",
        };
        var format = new Option<string>("--format")
        {
            Description = "trace format; auto detects it from the header (default auto)",
            HelpName = string.Join('|', Formats),
            DefaultValueFactory = _ => "auto",
        };
        var rack = new Option<int>("--rack-size")
        {
            Description = "consecutive nodes sharing a rack label (default 4)",
            HelpName = "N",
            DefaultValueFactory = _ => 4,
        };
        var command = new Command("sim", """
            Simulate the scheduler on a GPU-cluster trace and print average, median and p99 job completion time,
            makespan, average queueing delay, GPU utilization and Jain's fairness index across tenants.
            Runs locally in simulated time; no server needed.

            Examples:
              orch sim --trace ../shared/fixtures/traces/muri/cluster_trace.csv --nodes 8x8 --policy srtf
              orch sim --trace ../shared/fixtures/traces/philly/philly.csv --nodes 64x8 --policy default -o json
            """) { trace, nodes, policy, format, rack };
        app.SetAction(command, (context, cancellationToken) =>
        {
            var settings = new SimSettings(
                context.Parse.GetValue(trace)!,
                context.Parse.GetValue(nodes)!,
                context.Parse.GetValue(policy)!,
                context.Parse.GetValue(format)!,
                context.Parse.GetValue(rack));
            var result = Simulate(settings, cancellationToken);
            Write(context, settings, result);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static SimulationResult Simulate(SimSettings settings, CancellationToken cancellationToken)
    {
        var chosen = SimulationPolicy.ByName(settings.Policy)
            ?? throw new CliUsageException($"--policy '{settings.Policy}' is not a policy; use one of {string.Join(", ", SimulationPolicy.Names)}");
        TraceFormat? format = settings.Format.Trim().ToLowerInvariant() switch
        {
            "auto" => null,
            "muri" => TraceFormat.Muri,
            "philly" => TraceFormat.Philly,
            "tiresias" => TraceFormat.Tiresias,
            _ => throw new CliUsageException($"--format '{settings.Format}' is not a trace format; use one of {string.Join(", ", Formats)}"),
        };
        if (settings.RackSize < 1) throw new CliUsageException($"--rack-size {settings.RackSize}: give at least 1 node per rack");
        SimulatedCluster cluster;
        try
        {
            cluster = SimulatedCluster.Parse(settings.Nodes, settings.RackSize);
        }
        catch (FormatException e)
        {
            throw new CliUsageException($"--nodes: {e.Message}");
        }

        SimulationTrace jobs;
        try
        {
            jobs = TraceReader.Read(settings.Trace, format);
        }
        catch (TraceFormatException e)
        {
            throw new CliUsageException($"--trace: {e.Message}");
        }
        catch (IOException e)
        {
            throw new CliUsageException($"--trace: cannot read {settings.Trace}: {e.Message}");
        }

        TraceSimulator simulator;
        try
        {
            simulator = new TraceSimulator(jobs, cluster, chosen);
        }
        catch (SimulationException e)
        {
            throw new CliUsageException(e.Message);
        }

        try
        {
            return simulator.Run(cancellationToken);
        }
        catch (SimulationException e)
        {
            throw new CliFailureException($"simulation failed: {e.Message}");
        }
    }

    private static void Write(CommandContext context, SimSettings settings, SimulationResult result)
    {
        var m = result.Metrics;
        var figures = new JsonObject
        {
            ["avg_jct_s"] = Round(m.AverageJctSeconds),
            ["median_jct_s"] = Round(m.MedianJctSeconds),
            ["p99_jct_s"] = Round(m.P99JctSeconds),
            ["makespan_s"] = Round(m.MakespanSeconds),
            ["avg_queue_s"] = Round(m.AverageQueueSeconds),
            ["gpu_utilization"] = Math.Round(m.GpuUtilization, 6),
            ["jain_fairness"] = Math.Round(m.JainFairness, 6),
            ["jobs"] = m.Jobs,
            ["preemptions"] = m.Preemptions,
            ["tenants"] = m.Tenants,
            ["policy"] = result.Policy,
            ["nodes"] = settings.Nodes,
            ["gpus"] = result.Cluster.TotalGpus,
            ["trace"] = settings.Trace,
            ["scheduling_passes"] = result.SchedulingPasses,
            ["sim_wall_s"] = Math.Round(result.WallTime.TotalSeconds, 3),
        };
        switch (context.Output)
        {
            case OutputFormat.Json:
                context.WriteLine(figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                break;
            case OutputFormat.Yaml:
                foreach (var (key, value) in figures) context.WriteLine($"{key}: {value!.ToJsonString()}");
                break;
            default:
                context.WriteLine($"policy {result.Policy} on {settings.Nodes} ({result.Cluster.TotalGpus} GPUs), {m.Jobs} jobs from {settings.Trace}");
                context.WriteLine($"  avg JCT          {Duration(m.AverageJctSeconds)}");
                context.WriteLine($"  median JCT       {Duration(m.MedianJctSeconds)}");
                context.WriteLine($"  p99 JCT          {Duration(m.P99JctSeconds)}");
                context.WriteLine($"  makespan         {Duration(m.MakespanSeconds)}");
                context.WriteLine($"  avg queueing     {Duration(m.AverageQueueSeconds)}");
                context.WriteLine($"  GPU utilization  {m.GpuUtilization.ToString("P1", CultureInfo.InvariantCulture)}");
                context.WriteLine($"  Jain's index     {m.JainFairness.ToString("0.0000", CultureInfo.InvariantCulture)} across {m.Tenants} tenant(s)");
                context.WriteLine($"  preemptions      {m.Preemptions.ToString("N0", CultureInfo.InvariantCulture)}");
                context.WriteLine($"  simulated in     {result.WallTime.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s ({result.SchedulingPasses.ToString("N0", CultureInfo.InvariantCulture)} scheduling passes)");
                break;
        }
    }

    private static double Round(double seconds) => Math.Round(seconds, 1);

    private static string Duration(double seconds) =>
        $"{seconds.ToString("N0", CultureInfo.InvariantCulture)} s ({(seconds / 3600).ToString("0.0", CultureInfo.InvariantCulture)} h)";

    private sealed record SimSettings(string Trace, string Nodes, string Policy, string Format, int RackSize);
}
