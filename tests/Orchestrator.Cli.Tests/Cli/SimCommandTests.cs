using System.Text.Json;

using Orchestrator.Cli.Tests.Support;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch sim on the real Tiresias 60-job trace (no server): every JSON key, the table, and clear
/// errors with exit code 2 for bad flags and bad traces.</summary>
public sealed class SimCommandTests
{
    private static readonly string Trace = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "fixtures", "traces", "tiresias", "60_job.csv"));

    [Theory]
    [InlineData("fifo")]
    [InlineData("srtf")]
    [InlineData("tiresias")]
    [InlineData("default")]
    public async Task Sim_Json_HasEveryKey(string policy)
    {
        var result = await CliHarness.RunAsync(null, "sim", "--trace", Trace, "--nodes", "4x4", "--policy", policy, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        foreach (var key in new[] { "avg_jct_s", "median_jct_s", "p99_jct_s", "makespan_s", "avg_queue_s", "gpu_utilization", "jain_fairness" })
        {
            Assert.True(root.TryGetProperty(key, out var value), $"no {key} in {result.Stdout}");
            Assert.True(value.GetDouble() >= 0, $"{key} = {value}");
        }

        Assert.Equal(60, root.GetProperty("jobs").GetInt32());
        Assert.Equal(policy, root.GetProperty("policy").GetString());
        Assert.Equal(16, root.GetProperty("gpus").GetInt32());
        Assert.InRange(root.GetProperty("gpu_utilization").GetDouble(), 0.01, 1.0);
        Assert.True(root.GetProperty("p99_jct_s").GetDouble() >= root.GetProperty("median_jct_s").GetDouble());
        if (policy == "fifo") Assert.Equal(0, root.GetProperty("preemptions").GetInt32());
    }

    [Fact]
    public async Task Sim_Table_PrintsEachFigure()
    {
        var result = await CliHarness.RunAsync(null, "sim", "--trace", Trace, "--nodes", "2x8", "--policy", "fifo");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("policy fifo on 2x8 (16 GPUs), 60 jobs from ", result.StdoutLines[0]);
        foreach (var label in new[] { "avg JCT", "median JCT", "p99 JCT", "makespan", "avg queueing", "GPU utilization", "Jain's index", "preemptions", "simulated in" })
        {
            Assert.Contains(result.StdoutLines, line => line.TrimStart().StartsWith(label, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("--policy", "lottery", "--policy 'lottery' is not a policy; use one of fifo, srtf, tiresias, default")]
    [InlineData("--nodes", "8", "--nodes: '8' is not COUNTxGPUS")]
    [InlineData("--nodes", "1x4", "needs 8 GPUs")]
    [InlineData("--format", "csv", "--format 'csv' is not a trace format")]
    [InlineData("--rack-size", "0", "--rack-size 0: give at least 1 node per rack")]
    [InlineData("--format", "philly", "no 'timestamp', 'num_gpus' columns, which a philly trace needs")]
    public async Task Sim_BadFlag_ExitsTwo_NamingIt(string flag, string value, string message)
    {
        var result = await CliHarness.RunAsync(null, "sim", "--trace", Trace, flag, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Sim_MissingTrace_ExitsTwo()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-trace-{Guid.NewGuid():N}.csv");

        var noFlag = await CliHarness.RunAsync(null, "sim", "--nodes", "8x8");
        var noFile = await CliHarness.RunAsync(null, "sim", "--trace", missing);

        Assert.Equal(2, noFlag.ExitCode);
        Assert.Contains("--trace", noFlag.Stderr);
        Assert.Equal(2, noFile.ExitCode);
        Assert.Contains($"{missing}: no such file", noFile.Stderr);
    }

    [Fact]
    public async Task Sim_BadRow_ExitsTwo_NamingLineAndColumn()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bad-trace-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "job_id,num_gpu,submit_time,duration\n0,1,0,10\n1,2,soon,10\n");
        try
        {
            var result = await CliHarness.RunAsync(null, "sim", "--trace", file);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{file} line 3, column 3 (submit_time): 'soon' is not a number of seconds", result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
