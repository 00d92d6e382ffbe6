using System.Diagnostics;
using System.Text;

namespace Orchestrator.Execution.Tests.Support;

/// <summary>The real <c>Orchestrator.Agent</c> executable, built beside this test project, run as a child process.</summary>
public sealed class AgentExecutable : IDisposable
{
    private readonly StringBuilder _output = new();

    private AgentExecutable(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Everything it printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>The apphost under <c>src/Orchestrator.Agent/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>.</summary>
    public static string Path
    {
        get
        {
            // This assembly runs from tests/Orchestrator.Execution.Tests/bin/<configuration>/<tfm>/.
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var tfm = testBin.Name;
            var configuration = testBin.Parent!.Name;
            var root = testBin;
            while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "Orchestrator.sln"))) root = root.Parent;
            if (root is null) throw new InvalidOperationException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
            var path = System.IO.Path.Combine(root.FullName, "src", "Orchestrator.Agent", "bin", configuration, tfm, "Orchestrator.Agent");
            return File.Exists(path) ? path : throw new FileNotFoundException($"the agent executable is not built at {path}", path);
        }
    }

    public static AgentExecutable Start(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        var agent = new AgentExecutable(Process.Start(startInfo)!);
        agent.Process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        agent.Process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        agent.Process.BeginOutputReadLine();
        agent.Process.BeginErrorReadLine();
        return agent;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
        Process.Dispose();
    }
}
