using System.CommandLine;
using System.Runtime.InteropServices;
using Grpc.Core;
using Orchestrator.LoadTests.Drift;
using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Measurement;
using Orchestrator.LoadTests.Placement;
using Orchestrator.LoadTests.Scheduler;
using Orchestrator.LoadTests.Submit;
using Orchestrator.LoadTests.Transitions;

namespace Orchestrator.LoadTests;

/// <summary>The command line: <c>submit</c>, <c>transitions</c>, <c>scheduler</c>, <c>placement</c>, <c>storm</c>, <c>drift</c>, <c>scoring</c> and <c>ingest</c>, and the options saying which server to load.</summary>
internal static class LoadTestCli
{
    /// <summary>Exit code of bad arguments.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code after Ctrl+C or SIGTERM.</summary>
    public const int Interrupted = 130;

    private static readonly Option<string?> Server = new("--server")
    {
        Description = "benchmark this running server (e.g. http://127.0.0.1:7070) instead of starting one", HelpName = "URL", Recursive = true,
    };

    private static readonly Option<string?> ServerDll = new("--server-dll")
    {
        Description = "the server to start (default: src/Orchestrator.Server/bin/<this build's configuration>/net10.0/Orchestrator.Server.dll)",
        HelpName = "PATH", Recursive = true,
    };

    private static readonly Option<string> Durability = new("--durability")
    {
        Description = "durability of the server started here: fsync (every acknowledged change fsynced) or none", HelpName = "fsync|none",
        DefaultValueFactory = _ => "fsync", Recursive = true,
    };

    private static readonly Option<string[]> ServerArguments = new("--server-arg")
    {
        Description = "one more switch for the server started here, e.g. --server-arg=--Orchestrator:ResumeSweepInterval=00:05:00 (repeatable)",
        HelpName = "ARG", Recursive = true, AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<bool> KeepData = new("--keep-data")
    {
        Description = "keep the data directory of the server started here", Recursive = true,
    };

    private static readonly Option<string> Tenant = new("--tenant")
    {
        Description = "tenant of the benchmark's pipelines and runs", HelpName = "NAME", DefaultValueFactory = _ => "load", Recursive = true,
    };

    /// <summary>Parses and runs; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("""
            Orchestrator load tests: benchmarks of the real server over loopback gRPC. Starts the server from its built dll
            (free ports, fresh data directory, no agent) unless --server is given, and always stops it at the end.
            Build Release for measurements: dotnet build -c Release load-tests/Orchestrator.LoadTests
            """);
        foreach (var option in new Option[] { Server, ServerDll, Durability, ServerArguments, KeepData, Tenant }) root.Options.Add(option);
        root.Subcommands.Add(SubmitCommand.Create(RunWithServerAsync, RunGuardedAsync));
        root.Subcommands.Add(TransitionsCommand.Create(RunWithServerAsync));
        root.Subcommands.Add(SchedulerCommand.Create());
        root.Subcommands.Add(PlacementCommand.Create(RunWithServerAsync));
        root.Subcommands.Add(Storm.StormCommand.Create(RunWithServerAsync));
        root.Subcommands.Add(DriftCommand.Create());
        root.Subcommands.Add(Scoring.ScoringCommand.Create());
        root.Subcommands.Add(Ingest.IngestCommand.Create(RunWithServerAsync));

        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            interrupt.Cancel();
        });

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var error in parse.Errors) await Console.Error.WriteLineAsync($"error: {error.Message}");
            await Console.Error.WriteLineAsync("see --help");
            return UsageError;
        }

        try
        {
            // Signals are handled here (the server must be stopped), not by System.CommandLine's own handler.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, interrupt.Token);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
    }

    /// <summary>Starts (or attaches to) the server, runs the benchmark against it, and stops the server whatever happens.</summary>
    private static Task<int> RunWithServerAsync(ParseResult parse, string benchmark, Func<ServerUnderTest, CancellationToken, Task<int>> run, CancellationToken cancellationToken) =>
        RunGuardedAsync(parse, benchmark, async (launch, ct) =>
        {
            await using var server = launch is null
                ? ServerUnderTest.Attach(parse.GetValue(Server)!)
                : await ServerUnderTest.StartAsync(launch, ct);
            await Console.Out.WriteLineAsync($"server: {server.Description}");
            return await run(server, ct);
        }, cancellationToken);

    /// <summary>Prints the header, runs a benchmark that starts its own servers from the launch (null when --server
    /// names one) and turns what can go wrong into an exit code; the benchmark stops what it started.</summary>
    public static async Task<int> RunGuardedAsync(ParseResult parse, string benchmark, Func<ServerLaunch?, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        try
        {
            var launch = Launch(parse);
            await output.WriteLineAsync($"Orchestrator load test '{benchmark}': driver built {BuildOutput.Configuration}, {Environment.ProcessorCount} cores, " +
                $"{RuntimeInformation.FrameworkDescription}, load average {MachineLoad.LoadAverage()}; {LoadGeneratorEnvironment.Describe()}");
            if (!BuildOutput.Configuration.Equals("Release", StringComparison.OrdinalIgnoreCase))
                await output.WriteLineAsync("warning: this is not a Release build; build with -c Release before taking figures");
            return await run(launch, cancellationToken);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            await Console.Error.WriteLineAsync("interrupted: the servers started here were stopped");
            return Interrupted;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException or IOException)
        {
            await Console.Error.WriteLineAsync($"FAILED: {(e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message)}");
            return 1;
        }
    }

    /// <summary>How to start the server, or null when --server names one.</summary>
    private static ServerLaunch? Launch(ParseResult parse)
    {
        var durability = parse.GetValue(Durability) ?? "fsync";
        if (durability is not ("fsync" or "none")) throw new UsageException($"--durability: '{durability}' is not fsync or none");
        if (parse.GetValue(Server) is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new UsageException($"--server: '{url}' is not a URL; give e.g. http://127.0.0.1:7070 (http:// is plaintext HTTP/2)");
            return null;
        }

        var dll = parse.GetValue(ServerDll) ?? BuildOutput.DefaultServerDll()
            ?? throw new UsageException("--server-dll: this program is not inside the repository; give the path of Orchestrator.Server.dll or --server URL");
        return new ServerLaunch(Path.GetFullPath(dll), durability, parse.GetValue(ServerArguments) ?? [], parse.GetValue(KeepData));
    }

    /// <summary>The tenant option's value.</summary>
    public static string TenantOf(ParseResult parse) => parse.GetValue(Tenant) ?? "load";

    /// <summary>Reads a positive whole option, or says how to fix it.</summary>
    public static int Positive(ParseResult parse, Option<int> option, int max)
    {
        var value = parse.GetValue(option);
        if (value < 1 || value > max) throw new UsageException($"{option.Name}: {value} is out of range; use 1..{max}");
        return value;
    }

    /// <summary>Reads a duration in seconds, or says how to fix it.</summary>
    public static TimeSpan Seconds(ParseResult parse, Option<double> option, double min, double max)
    {
        var value = parse.GetValue(option);
        if (!(value >= min && value <= max)) throw new UsageException($"{option.Name}: {value} s is out of range; use {min}..{max} seconds");
        return TimeSpan.FromSeconds(value);
    }

    /// <summary>The measured-window shape the options describe.</summary>
    public static LoadShape Shape(int callers, int channels, TimeSpan warmUp, TimeSpan duration, long maxCalls, TimeSpan callTimeout)
    {
        if (channels > callers) throw new UsageException($"--channels: {channels} is more than --callers {callers}; use at most one channel per caller");
        return new LoadShape(callers, channels, warmUp, duration, maxCalls, callTimeout);
    }
}
