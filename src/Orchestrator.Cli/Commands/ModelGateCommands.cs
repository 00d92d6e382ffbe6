using System.CommandLine;

using Grpc.Core;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch models gates NAME|set|check</c>: a model's validation gates.</summary>
internal static class ModelGateCommands
{
    /// <summary>The <c>gates</c> command: shows the gates; <c>set</c> and <c>check</c> below it.</summary>
    public static Command Create(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var command = new Command("gates", """
            Show a model's validation gates: the checks a version must pass before promotion (metric thresholds, beating
            the champion by a margin, the gap of a metric between segments, the artifact's size).

            Examples:
              orch models gates churn
              orch models gates set churn -f gates.yaml --reason "release policy"
              orch models gates check churn challenger
            """) { name };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var gates = await context.Client.Models.GetGatesAsync(
                new GetGatesRequest { Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)! }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(ModelTables.Gates(gates, context.Now));
            else context.Write(gates);
            return ExitCodes.Success;
        });
        command.Subcommands.Add(Set(app));
        command.Subcommands.Add(Check(app));
        return command;
    }

    private static Command Set(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var file = new Option<string>("--file", "-f") { Description = "the gate list's YAML file (gates: [...]); an empty list clears the gates", Required = true, HelpName = "FILE" };
        var reason = ModelCommands.ReasonOption();
        var command = new Command("set", """
            Replace a model's gate list with the one in a YAML file. Each change is a new revision and an audit entry.

            Example file:
              gates:
                - metric_threshold: {expression: "auc>=0.8"}
                - name: beats champion
                  beat_champion: {metric: auc, margin: 0.01}       # higher_is_better: from the name unless given
                - segment_gap: {metric: accuracy, segments: ["group=a", "group=b"], max_gap: 0.05}
                - max_artifact_size: {max_bytes: 500000000}

            Example:
              orch models gates set churn -f gates.yaml --reason "release policy"
            """) { name, file, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var path = context.Parse.GetValue(file)!;
            var list = ReadGateFile(path);
            var request = new SetGatesRequest { Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, Reason = context.Parse.GetValue(reason) ?? "" };
            request.Gates.AddRange(list.Gates);
            var gates = await context.Client.Models.SetGatesAsync(request,
                ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table)
                context.WriteLine($"model {gates.Name}: {gates.Gates.Count} gate{(gates.Gates.Count == 1 ? "" : "s")} set (revision {gates.Revision})");
            else context.Write(gates);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Check(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var version = new Argument<string>("VERSION") { Description = "the version to check: a number, 'latest' or an alias" };
        var reason = ModelCommands.ReasonOption();
        var command = new Command("check", $"""
            Check a version against the model's gates and the current champion, store the result on the version and
            print one row per gate: value measured, bound, passed, and what to do. Exits {ExitCodes.GatesFailed} when any
            gate fails (0 when all pass), so that a CI step can stop a promotion.

            Example:
              orch models gates check churn challenger && orch models alias churn champion challenger
            """) { name, version, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var model = context.Parse.GetValue(name)!;
            var evaluation = await context.Client.Models.EvaluateGatesAsync(new EvaluateGatesRequest
            {
                Tenant = context.Settings.Tenant, Name = model, Version = context.Parse.GetValue(version)!, Reason = context.Parse.GetValue(reason) ?? "",
            }, ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(ModelTables.Evaluation(model, evaluation));
            else context.Write(evaluation);
            return evaluation.Passed ? ExitCodes.Success : ExitCodes.GatesFailed;
        });
        return command;
    }

    /// <summary>Reads and parses a gate file; problems name the file, the line/column and the field path.</summary>
    private static GateList ReadGateFile(string path) => CliFiles.ReadYaml(path, ProtoYaml.Parse<GateList>);
}
