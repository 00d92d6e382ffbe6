using System.CommandLine;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch models rollout policy NAME|set</c>: the plan a deployment's rollouts follow when started without one.</summary>
internal static class ModelRolloutPolicyCommands
{
    /// <summary>The <c>policy</c> command: shows the deployment's plan; <c>set</c> below it.</summary>
    public static Command Create(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var deployment = ModelRolloutCommands.DeploymentOption();
        var command = new Command("policy", """
            Show the plan a deployment's rollouts follow when started without --steps/--bake: the steps (the challenger's
            share, bake time, predictions to serve) and the guards that roll back by themselves. Until a policy is set
            this is the default plan: 10%/50%/100%, 10m each, accuracy and auc may drop at most 0.02.

            Examples:
              orch models rollout policy churn --deployment eu
              orch models rollout policy churn -o yaml > plan.yaml     # a file 'policy set -f' reads back
              orch models rollout policy set churn -f plan.yaml --reason "slower canary"
            """) { name, deployment };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var where = ModelRolloutCommands.Where(context, name, deployment);
            var plan = await context.Client.Rollouts.GetRolloutPolicyAsync(new GetRolloutPolicyRequest { Deployment = where }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(RolloutTables.Plan(where.Model, where.Deployment, plan));
            else context.Write(plan);
            return ExitCodes.Success;
        });
        command.Subcommands.Add(Set(app));
        return command;
    }

    private static Command Set(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var file = new Option<string>("--file", "-f") { Description = "the plan's YAML file (steps: [...], guards: [...])", Required = true, HelpName = "FILE" };
        var deployment = ModelRolloutCommands.DeploymentOption();
        var reason = ModelCommands.ReasonOption();
        var command = new Command("set", """
            Set the plan a deployment's rollouts follow when started without --steps/--bake. A rollout in progress keeps
            its plan. The change is an audit entry on the model.

            Example file:
              steps:                                  # percent ascending, the last 100; a step moves on when both hold
                - {percent: 5, bake: 600s}            # bake in seconds: 600s is 10 minutes
                - {percent: 25, bake: 1800s, min_predictions: 1000}
                - {percent: 100, bake: 3600s}
              guards:                                 # roll back when the challenger regresses against the champion
                - {metric: accuracy, max_regression: 0.02}
                - {metric: rmse, max_regression: 0.5, direction: lower, min_labeled: 500}

            Example:
              orch models rollout policy set churn -f plan.yaml --deployment eu --reason "slower canary"
            """) { name, file, deployment, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var path = context.Parse.GetValue(file)!;
            var plan = CliFiles.ReadYaml(path, ProtoYaml.Parse<RolloutPlan>);
            if (plan.Steps.Count == 0)
                throw new CliUsageException($"{path}: steps: the plan has no steps; give at least one, ascending, the last at 100 (e.g. steps: [{{percent: 10, bake: 600s}}, {{percent: 100, bake: 600s}}])");
            var where = ModelRolloutCommands.Where(context, name, deployment);
            var set = await context.Client.Rollouts.SetRolloutPolicyAsync(new SetRolloutPolicyRequest
            {
                Deployment = where, Plan = plan, Reason = context.Parse.GetValue(reason) ?? "",
            }, ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table)
            {
                var steps = string.Join("/", set.Steps.Select(s => $"{s.Percent}%"));
                context.WriteLine($"model {where.Model}, deployment {(where.Deployment.Length > 0 ? where.Deployment : "default")}: rollout policy set: {steps}, {set.Guards.Count} guard{(set.Guards.Count == 1 ? "" : "s")}");
            }
            else context.Write(set);
            return ExitCodes.Success;
        });
        return command;
    }
}
