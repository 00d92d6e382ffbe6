using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.Yaml;
using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Cli.Tests.Churn;

/// <summary>
/// Verifies the churn example end to end without a server: every step of pipeline.yaml run with python3 as the agent
/// would (inputs and outputs as files), a model good enough to publish, and the published report.
/// </summary>
public sealed class ChurnPipelineTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("orch-churn-").FullName;

    [Fact]
    public async Task ChurnPipeline_StepByStep_TrainsAModelWithAucAbove07_AndPublishesTheBest()
    {
        var spec = PipelineYaml.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.ChurnExample, "pipeline.yaml")));
        var parameters = StepRunnerForTests.Parameters(spec, new Dictionary<string, string> { ["code_dir"] = RepositoryPaths.ChurnExample });
        var runner = new StepRunnerForTests(work, spec, parameters, runId: "r-test");
        var steps = spec.Steps.ToDictionary(s => s.Name);

        Succeeded(await runner.RunAsync(steps["prepare"]));
        var rates = runner.Items("learning_rates");
        Assert.Equal(["0.3", "0.1"], rates);
        for (var i = 0; i < rates.Count; i++)
        {
            var train = Succeeded(await runner.RunAsync(steps["train"], i, rates[i], gpus: i.ToString(CultureInfo.InvariantCulture)));
            Assert.Contains($"CUDA_VISIBLE_DEVICES={i}", train.Stdout, StringComparison.Ordinal);
            Assert.Contains("epoch  150/150  loss", train.Stdout, StringComparison.Ordinal);
        }

        Succeeded(await runner.RunAsync(steps["evaluate"]));
        var auc = double.Parse(runner.OutputValue("evaluate", "auc"), CultureInfo.InvariantCulture);
        Assert.InRange(auc, 0.7, 1.0);
        Assert.InRange(double.Parse(runner.OutputValue("evaluate", "accuracy"), CultureInfo.InvariantCulture), 0.6, 1.0);

        // publish's condition, resolved like the server does: "0.797001 >= 0.6".
        var condition = runner.ResolveCondition(steps["publish"].When).Split(">=", StringSplitOptions.TrimEntries);
        Assert.True(double.Parse(condition[0], CultureInfo.InvariantCulture) >= double.Parse(condition[1], CultureInfo.InvariantCulture));
        Succeeded(await runner.RunAsync(steps["publish"]));

        using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(runner.OutputPath("evaluate", "metrics")));
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(runner.OutputPath("publish", "report")));
        var r = report.RootElement;
        Assert.True(r.GetProperty("published").GetBoolean());
        Assert.Equal("r-test", r.GetProperty("run").GetString());
        Assert.Equal(metrics.RootElement.GetProperty("auc").GetDouble(), r.GetProperty("auc").GetDouble());
        Assert.Equal(0.6, r.GetProperty("min_auc").GetDouble());
        Assert.Equal(metrics.RootElement.GetProperty("best_lr").GetDouble(), r.GetProperty("lr").GetDouble());
        Assert.Contains(r.GetProperty("lr").GetDouble(), new[] { 0.3, 0.1 });
        var bestModel = await File.ReadAllBytesAsync(runner.OutputPath("evaluate", "best_model"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bestModel)), r.GetProperty("model_sha256").GetString());
        Assert.Equal(9, r.GetProperty("model").GetProperty("weights").GetArrayLength());
        Assert.Equal(2, metrics.RootElement.GetProperty("models").GetArrayLength());

        // What the register step hands the registry: flat scores and a profile the registry's validator accepts.
        var scores = ModelVersionJson.ReadMetrics(await File.ReadAllTextAsync(runner.OutputPath("evaluate", "scores")));
        Assert.Equal(metrics.RootElement.GetProperty("auc").GetDouble(), scores["auc"]);
        var profile = ModelVersionJson.ReadProfile(await File.ReadAllTextAsync(runner.OutputPath("prepare", "profile")));
        var problems = new List<ValidationError>();
        ProfileValidator.Check(profile, problems);
        Assert.Empty(problems);
        Assert.Equal(["monthly_charges", "num_products", "support_calls", "tenure", "total_charges"], profile.Numeric.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["contract", "paperless_billing", "senior_citizen"], profile.Categorical.Keys.Order(StringComparer.Ordinal));

        var notify = Succeeded(await runner.RunAsync(spec.ExitHandler, runStatus: "succeeded"));
        Assert.Equal("churn run r-test succeeded", notify.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Auc_WithTiedScores_CountsTiesAsHalf()
    {
        // Positives score 0.5 and 0.9, negatives 0.5 and 0.2: of 4 pairs, 3 are ordered right and 1 is tied -> 3.5 / 4.
        var result = await Python("-c", "import churnlib; print(churnlib.auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]))");

        Assert.Equal("0.875", result.Stdout.Trim());
    }

    [Fact]
    public async Task Split_IsTheSameInTrainAndEvaluate_AndDisjoint()
    {
        var result = await Python("-c", """
            import churnlib
            data = churnlib.generate(500, 7)
            a_train, a_test = churnlib.split(data, 7)
            b_train, b_test = churnlib.split(churnlib.generate(500, 7), 7)
            ids = lambda rows: {r['customer_id'] for r in rows}
            print(ids(a_test) == ids(b_test), len(ids(a_train) & ids(a_test)), len(a_test), len(a_train))
            """);

        Assert.Equal("True 0 100 400", result.Stdout.Trim());
    }

    [Theory]
    [InlineData("train.py", new[] { "--data", "missing.csv", "--lr", "0.1", "--model-out", "m", "--loss-out", "l" }, "error: dataset file 'missing.csv' does not exist")]
    [InlineData("train.py", new[] { "--data", "x", "--lr", "-1", "--model-out", "m", "--loss-out", "l" }, "error: --lr must be a positive number, got -1.0")]
    [InlineData("prepare.py", new[] { "--rows", "10", "--out", "d" }, "error: --rows must be at least 50, got 10")]
    [InlineData("prepare.py", new[] { "--rows", "ten", "--out", "d" }, "argument --rows: invalid int value: 'ten'")]
    [InlineData("evaluate.py", new[] { "--models", "nowhere", "--data", "d", "--metrics-out", "a", "--auc-out", "b", "--accuracy-out", "c", "--best-model-out", "e" }, "error: --models 'nowhere' does not exist")]
    [InlineData("notify.py", new[] { "--run", "r-1" }, "the following arguments are required: --status")]
    public async Task Scripts_RefuseBadInput_WithExit2AndAClearMessage(string script, string[] args, string message)
    {
        var result = await Python([Path.Combine(RepositoryPaths.ChurnExample, script), .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prepare.py")]
    [InlineData("train.py")]
    [InlineData("evaluate.py")]
    [InlineData("publish.py")]
    [InlineData("notify.py")]
    public async Task Scripts_HaveHelpWithAnExample(string script)
    {
        var result = await Python(Path.Combine(RepositoryPaths.ChurnExample, script), "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"example: python3 {script}", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_ReadsAGivenCsv_AndRefusesABadRowWithItsLine()
    {
        var csv = Path.Combine(work, "given.csv");
        Succeeded(await Python(Path.Combine(RepositoryPaths.ChurnExample, "prepare.py"), "--rows", "200", "--out", csv));
        var lines = (await File.ReadAllLinesAsync(csv)).ToList();
        Succeeded(await Python(Path.Combine(RepositoryPaths.ChurnExample, "prepare.py"), "--csv", csv, "--out", Path.Combine(work, "copy.csv")));
        lines[5] = lines[5].Replace("month-to-month", "weekly", StringComparison.Ordinal).Replace("one-year", "weekly", StringComparison.Ordinal).Replace("two-year", "weekly", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(csv, lines);

        var result = await Python(Path.Combine(RepositoryPaths.ChurnExample, "prepare.py"), "--csv", csv, "--out", Path.Combine(work, "bad.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{csv}, line 6: column 'contract' must be one of month-to-month, one-year, two-year, got 'weekly'", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    private Task<ProcessResult> Python(params string[] args) =>
        ProcessRunner.RunAsync(["python3", .. args], work, new Dictionary<string, string> { ["PYTHONPATH"] = RepositoryPaths.ChurnExample });

    private static ProcessResult Succeeded(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
