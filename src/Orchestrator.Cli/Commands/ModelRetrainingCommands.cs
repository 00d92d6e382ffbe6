using System.CommandLine;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch models retraining NAME|set|remove|budget</c> and <c>orch models retrain NAME</c>: automated retraining.</summary>
internal static class ModelRetrainingCommands
{
    /// <summary>The <c>retraining</c> command: shows a model's retraining; <c>set</c>, <c>remove</c> and <c>budget</c> below it.</summary>
    public static Command Create(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var command = new Command("retraining", """
            Show a model's retraining: its policy (pipeline, triggers, cooldown), where it stands (idle, waiting for the
            budget, running, cooling down), the drift streak so far, and its recent retrainings with their runs, the
            version each registered, the gates and the promotion.

            Examples:
              orch models retraining churn
              orch models retraining set churn -f retraining.yaml --reason "retrain on sustained drift"
              orch models retraining budget set --max-concurrent 5 --per-minute 10
            """) { name };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var status = await context.Client.Retraining.GetRetrainingStatusAsync(
                new GetRetrainingStatusRequest { Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)! }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(RetrainingTables.Status(status, context.Now));
            else context.Write(status);
            return ExitCodes.Success;
        });
        command.Subcommands.Add(Set(app));
        command.Subcommands.Add(Remove(app));
        command.Subcommands.Add(Budget(app));
        return command;
    }

    /// <summary>The <c>retrain</c> command: a manual trigger.</summary>
    public static Command Retrain(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var reason = ModelCommands.ReasonOption();
        var command = new Command("retrain", """
            Retrain a model now with its policy's pipeline, within the cluster-wide retraining budget. The cooldown does
            not apply to a manual trigger; one retraining at a time does: while one waits or runs, this trigger is
            recorded and runs when it ends (exit code 2, FAILED_PRECONDITION).

            Example:
              orch models retrain churn --reason "new labelled data landed"
            """) { name, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var status = await context.Client.Retraining.TriggerRetrainingAsync(new TriggerRetrainingRequest
            {
                Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, Reason = context.Parse.GetValue(reason) ?? "",
            }, ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(RetrainingTables.Triggered(status));
            else context.Write(status);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Set(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var file = new Option<string>("--file", "-f") { Description = "the policy's YAML file", Required = true, HelpName = "FILE" };
        var reason = ModelCommands.ReasonOption();
        var command = new Command("set", """
            Set (or replace) a model's retraining policy from a YAML file.

            Example file:
              pipeline: churn-retrain              # must exist; should end with a register step for the model
              parameters: {until: "{{window_end}}", why: "{{trigger}}"}
              drift_windows: 3                     # dataset drift in 3 consecutive windows (0: off; default 3)
              performance: {metric: accuracy, threshold: 0.8, windows: 2}
              cron: "0 3 * * 1"                    # UTC, five fields
              cooldown: 6h
              priority_class: batch
              auto_promote: true                   # gated version becomes challenger and its rollout starts

            Example:
              orch models retraining set churn -f retraining.yaml --reason "retrain on sustained drift"
            """) { name, file, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var policy = CliFiles.ReadYaml(context.Parse.GetValue(file)!, ProtoYaml.Parse<RetrainingPolicy>);
            var status = await context.Client.Retraining.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest
            {
                Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, Policy = policy, Reason = context.Parse.GetValue(reason) ?? "",
            }, ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table)
                context.WriteLine($"model {status.Name}: retraining policy set (revision {status.Revision}): pipeline {status.Policy.Pipeline}, {RetrainingTables.Triggers(status.Policy)}");
            else context.Write(status);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var reason = ModelCommands.ReasonOption();
        var command = new Command("remove", """
            Remove a model's retraining policy. A retraining run already going runs to its end and is still gated.

            Example:
              orch models retraining remove churn --reason "model retired"
            """) { name, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var status = await context.Client.Retraining.DeleteRetrainingPolicyAsync(new DeleteRetrainingPolicyRequest
            {
                Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, Reason = context.Parse.GetValue(reason) ?? "",
            }, ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine($"model {status.Name}: retraining policy removed");
            else context.Write(status);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Budget(CliApp app)
    {
        var command = new Command("budget", """
            Show the cluster-wide retraining budget: its limits, the models whose retraining runs hold it, and the models
            waiting, in the order they would be granted (fair across tenants).

            Example:
              orch models retraining budget
            """);
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var budget = await context.Client.Retraining.GetRetrainingBudgetAsync(new GetRetrainingBudgetRequest(), OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(RetrainingTables.Budget(budget, context.Now));
            else context.Write(budget);
            return ExitCodes.Success;
        });
        command.Subcommands.Add(BudgetSet(app));
        return command;
    }

    private static Command BudgetSet(CliApp app)
    {
        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "retraining runs at once, all tenants together", HelpName = "N" };
        var perTenant = new Option<int>("--per-tenant") { Description = "retraining runs at once per tenant", HelpName = "N" };
        var perMinute = new Option<double>("--per-minute") { Description = "retraining runs started per minute", HelpName = "X" };
        var burst = new Option<int>("--burst") { Description = "starts allowed at once after a quiet spell", HelpName = "N" };
        var command = new Command("set", """
            Change the retraining budget's limits; a limit not given keeps its value.

            Example:
              orch models retraining budget set --max-concurrent 5 --per-tenant 2 --per-minute 10
            """) { maxConcurrent, perTenant, perMinute, burst };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var limits = new RetrainingBudgetLimits
            {
                MaxConcurrent = context.Parse.GetValue(maxConcurrent), MaxConcurrentPerTenant = context.Parse.GetValue(perTenant),
                PerMinute = context.Parse.GetValue(perMinute), Burst = context.Parse.GetValue(burst),
            };
            var budget = await context.Client.Retraining.SetRetrainingBudgetAsync(new SetRetrainingBudgetRequest { Limits = limits }, ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(RetrainingTables.Budget(budget, context.Now));
            else context.Write(budget);
            return ExitCodes.Success;
        });
        return command;
    }
}
