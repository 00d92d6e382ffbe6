using System.Diagnostics;

namespace Orchestrator.Execution.Processes;

/// <summary>Starts step attempts as OS processes, each in its own session and process group (see <see cref="ProcessGroupScript"/>).</summary>
public sealed class ProcessStepRunner : IStepRunner
{
    /// <summary>Grace between SIGTERM and SIGKILL for a timed-out step unless the launch says otherwise: 10 s.</summary>
    public static readonly TimeSpan DefaultKillGrace = TimeSpan.FromSeconds(10);

    /// <summary>Variables copied from the agent's own environment into every step (unless the launch sets them):
    /// PATH so that commands are found, HOME and LANG because common tools misbehave without them. Nothing else leaks.</summary>
    public static readonly IReadOnlyList<string> InheritedVariables = ["PATH", "HOME", "LANG"];

    private readonly TimeSpan _killGrace;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner; <paramref name="time"/> drives timeouts and kill grace.</summary>
    public ProcessStepRunner(TimeSpan? killGrace = null, TimeProvider? time = null)
    {
        _killGrace = killGrace ?? DefaultKillGrace;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Starts the process. Throws <see cref="CommandNotRunnableException"/> when the command does not exist or is
    /// not executable (the step's fault); any other exception means the agent could not start it.</summary>
    public Task<RunningStep> StartAsync(StepLaunch launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        cancellationToken.ThrowIfCancellationRequested();
        if (launch.Argv.Count == 0 || launch.Argv[0].Length == 0)
        {
            throw new CommandNotRunnableException("the step has no command: give it a command such as [\"python\", \"train.py\"]");
        }
        if (!Directory.Exists(launch.WorkingDirectory))
        {
            throw new DirectoryNotFoundException($"working directory {launch.WorkingDirectory} does not exist");
        }
        var setsid = ProcessGroupScript.SetsidPath
            ?? throw new InvalidOperationException("setsid (util-linux) was not found on PATH; the agent needs it to run steps in their own process group");
        var environment = BuildEnvironment(launch.Environment);
        CheckCommand(launch.Argv[0], environment.GetValueOrDefault("PATH"), launch.WorkingDirectory);

        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = launch.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(ProcessGroupScript.Text);
        startInfo.ArgumentList.Add("orch-step");
        startInfo.ArgumentList.Add(setsid);
        foreach (var argument in launch.Argv) startInfo.ArgumentList.Add(argument);
        startInfo.Environment.Clear();
        foreach (var (name, value) in environment) startInfo.Environment[name] = value;

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("/bin/sh did not start");
        return Task.FromResult(new RunningStep(process, launch, launch.KillGrace ?? _killGrace, _time));
    }

    async Task<IRunningStep> IStepRunner.StartAsync(StepLaunch launch, CancellationToken cancellationToken) =>
        await StartAsync(launch, cancellationToken).ConfigureAwait(false);

    /// <summary>The launch's environment plus <see cref="InheritedVariables"/> from the agent where the launch has none.</summary>
    public static Dictionary<string, string> BuildEnvironment(IReadOnlyDictionary<string, string> launchEnvironment)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value) environment[name] = value;
        }
        foreach (var (name, value) in launchEnvironment) environment[name] = value;
        return environment;
    }

    private static void CheckCommand(string command, string? searchPath, string workingDirectory)
    {
        var path = ExecutableLocator.Find(command, searchPath, workingDirectory);
        if (path is null)
        {
            throw new CommandNotRunnableException(command.Contains('/')
                ? $"command \"{command}\" was not found (looked for {Path.GetFullPath(command, workingDirectory)})"
                : $"command \"{command}\" was not found on PATH ({searchPath}): install it on the node, or give its full path");
        }
        if (!ExecutableLocator.IsExecutable(path))
        {
            throw new CommandNotRunnableException(
                $"command \"{command}\" ({path}) is not executable: chmod +x it, or run it through its interpreter (e.g. [\"sh\", \"{command}\"])");
        }
    }
}
