using System.Globalization;
using System.Text.RegularExpressions;

using Google.Protobuf.WellKnownTypes;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>
/// Runs a pipeline's steps the way the node agent does, without a server: each attempt in its own directory with
/// inputs/ and outputs/, templates resolved, inputs delivered as files (a fan-out's outputs as a directory of 0, 1, …).
/// Just enough to prove that a pipeline file and its scripts fit together.
/// </summary>
public sealed partial class StepRunnerForTests(string workRoot, PipelineSpec spec, IReadOnlyDictionary<string, string> parameters, string runId)
{
    private readonly Dictionary<string, List<Dictionary<string, string>>> outputsByStep = new(StringComparer.Ordinal);

    /// <summary>The canonical text of every parameter: the given value, else the spec's default.</summary>
    public static Dictionary<string, string> Parameters(PipelineSpec spec, IReadOnlyDictionary<string, string> given) =>
        spec.Parameters.ToDictionary(p => p.Name, p => given.TryGetValue(p.Name, out var value) ? value : Canonical(p.Default));

    /// <summary>The items of a list parameter, each as canonical text.</summary>
    public IReadOnlyList<string> Items(string listParameter) =>
        Value.Parser.ParseJson(parameters[listParameter]).ListValue.Values.Select(Canonical).ToList();

    /// <summary>Runs one instance of <paramref name="step"/> (item <paramref name="index"/> of a fan-out, or -1) and records its outputs.</summary>
    public async Task<ProcessResult> RunAsync(StepSpec step, int index = -1, string? item = null, string runStatus = "running", string gpus = "")
    {
        var key = index >= 0 ? $"{step.Name}[{index}]" : step.Name;
        var attempt = Path.Combine(workRoot, key.Replace('[', '_').Replace(']', '_'), "1");
        var inputs = Directory.CreateDirectory(Path.Combine(attempt, "inputs")).FullName;
        var outputs = Directory.CreateDirectory(Path.Combine(attempt, "outputs")).FullName;
        foreach (var (name, template) in step.Inputs) DeliverInput(Path.Combine(inputs, name), template, item, runStatus);

        string Resolve(string text) => Reference().Replace(text, m => m.Groups[1].Value switch
        {
            var r when r.StartsWith("params.", StringComparison.Ordinal) => parameters[r[7..]],
            var r when r.StartsWith("inputs.", StringComparison.Ordinal) => Path.Combine(inputs, r[7..]),
            var r when r.StartsWith("outputs.", StringComparison.Ordinal) => Path.Combine(outputs, r[8..]),
            "item" => item ?? throw new InvalidOperationException($"{key} uses {{{{item}}}} without foreach"),
            "run.id" => runId,
            "run.status" => runStatus,
            var r => throw new InvalidOperationException($"{key}: reference {r} is not resolvable in a command"),
        });

        var environment = step.Env.ToDictionary(e => e.Key, e => Resolve(e.Value));
        environment["CUDA_VISIBLE_DEVICES"] = gpus;
        var result = await ProcessRunner.RunAsync(step.Command.Select(Resolve).ToList(), attempt, environment);
        if (result.ExitCode == 0)
        {
            var files = step.Outputs.ToDictionary(o => o, o => Path.Combine(outputs, o));
            foreach (var (name, path) in files) Assert.True(File.Exists(path), $"{key} exited 0 but did not write output '{name}'\n{result}");
            if (!outputsByStep.TryGetValue(step.Name, out var instances)) outputsByStep[step.Name] = instances = [];
            instances.Add(files);
        }

        return result;
    }

    /// <summary>The text of a small output, trimmed of one trailing newline (as the agent stores artifact values).</summary>
    public string OutputValue(string step, string output) => File.ReadAllText(OutputPath(step, output)).TrimEnd('\n');

    /// <summary>Where a (non-fan-out) step's output was written.</summary>
    public string OutputPath(string step, string output) => outputsByStep[step].Single()[output];

    /// <summary>Resolves <c>{{steps.S.outputs.O}}</c> and <c>{{params.P}}</c> in a condition, as the server does before evaluating it.</summary>
    public string ResolveCondition(string when) => Reference().Replace(when, m => m.Groups[1].Value switch
    {
        var r when r.StartsWith("params.", StringComparison.Ordinal) => parameters[r[7..]],
        var r when StepOutput().Match(r) is { Success: true } o => OutputValue(o.Groups[1].Value, o.Groups[2].Value),
        var r => throw new InvalidOperationException($"cannot resolve {r} in a condition"),
    });

    private void DeliverInput(string path, string template, string? item, string runStatus)
    {
        var reference = Reference().Match(template);
        if (reference.Success && reference.Value == template && StepOutput().Match(reference.Groups[1].Value) is { Success: true } output)
        {
            var instances = outputsByStep[output.Groups[1].Value];
            if (spec.Steps.Single(s => s.Name == output.Groups[1].Value).Foreach.Length == 0)
            {
                File.Copy(instances.Single()[output.Groups[2].Value], path);
                return;
            }

            Directory.CreateDirectory(path);
            for (var i = 0; i < instances.Count; i++) File.Copy(instances[i][output.Groups[2].Value], Path.Combine(path, i.ToString(CultureInfo.InvariantCulture)));
            return;
        }

        File.WriteAllText(path, Reference().Replace(template, m => m.Groups[1].Value switch
        {
            var r when r.StartsWith("params.", StringComparison.Ordinal) => parameters[r[7..]],
            "item" => item ?? "",
            "run.id" => runId,
            "run.status" => runStatus,
            var r => throw new InvalidOperationException($"input template {r} is not allowed"),
        }));
    }

    private static string Canonical(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.StringValue => value.StringValue,
        Value.KindOneofCase.NumberValue => value.NumberValue.ToString("R", CultureInfo.InvariantCulture),
        Value.KindOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        _ => value.ToString().Replace(" ", "", StringComparison.Ordinal),
    };

    [GeneratedRegex(@"\{\{\s*([^}]+?)\s*\}\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^steps\.([^.]+)\.outputs\.(.+)$")]
    private static partial Regex StepOutput();
}
