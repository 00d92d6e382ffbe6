using System.CommandLine;
using System.Globalization;

using Google.Protobuf.WellKnownTypes;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch models rollout start|status|advance|rollback|policy</c> and <c>orch models split</c>: progressive rollouts.</summary>
internal static class ModelRolloutCommands
{
    /// <summary>The <c>rollout</c> command group.</summary>
    public static Command Create(CliApp app)
    {
        var command = new Command("rollout", """
            Progressive rollouts of a challenger per model deployment: traffic steps (e.g. 10%, 50%, 100%) held for a
            bake time, advanced by the service, rolled back by itself when live metrics regress (see docs/rollouts.md).
            """);
        command.Subcommands.Add(Start(app));
        command.Subcommands.Add(Status(app));
        command.Subcommands.Add(Advance(app));
        command.Subcommands.Add(RollBack(app));
        command.Subcommands.Add(ModelRolloutPolicyCommands.Create(app));
        return command;
    }

    /// <summary>The <c>split</c> command: how a serving layer routes a deployment now.</summary>
    public static Command Split(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var deployment = DeploymentOption();
        var command = new Command("split", """
            Show how a deployment's requests are routed now: the champion's and the challenger's percentages.

            Example:
              orch models split churn -o json
            """) { name, deployment };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var split = await context.Client.Rollouts.GetTrafficSplitAsync(
                new GetTrafficSplitRequest { Deployment = Where(context, name, deployment) }, OrchClient.Unary(cancellationToken));
            if (context.Output != OutputFormat.Table) context.Write(split);
            else if (split.ChallengerVersion == 0) context.WriteLine($"champion version {split.ChampionVersion}: {split.ChampionPercent}%");
            else context.WriteLine($"champion version {split.ChampionVersion}: {split.ChampionPercent}%, challenger version {split.ChallengerVersion}: {split.ChallengerPercent}%");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Start(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var version = new Option<int>("--version") { Description = "the version to roll out (a number)", Required = true, HelpName = "N" };
        var steps = new Option<string>("--steps") { Description = "the challenger's percentages, ascending, ending at 100 (default 10,50,100 or the deployment's policy)", HelpName = "P,P,..." };
        var bake = new Option<string>("--bake") { Description = "how long each step is held (default 10m)", HelpName = "DURATION" };
        var deployment = DeploymentOption();
        var reason = ModelCommands.ReasonOption();
        var command = new Command("start", """
            Start rolling out a version against the model's champion; it becomes the model's challenger.

            Examples:
              orch models rollout start churn --version 7
              orch models rollout start churn --version 7 --steps 5,25,100 --bake 30m --deployment eu --reason "retrained"
            """) { name, version, steps, bake, deployment, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var request = new StartRolloutRequest
            {
                Deployment = Where(context, name, deployment), Version = context.Parse.GetValue(version), Reason = context.Parse.GetValue(reason) ?? "",
                Plan = Plan(context.Parse.GetValue(steps), context.Parse.GetValue(bake)),
            };
            var rollout = await context.Client.Rollouts.StartRolloutAsync(request, ModelCommands.AsUser(context, cancellationToken));
            Show(context, rollout);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var deployment = DeploymentOption();
        var command = new Command("status", """
            Show a deployment's rollout: phase, step, the challenger's share, and the step's traffic and live metrics.

            Example:
              orch models rollout status churn --deployment eu
            """) { name, deployment };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var rollout = await context.Client.Rollouts.GetRolloutAsync(new GetRolloutRequest { Deployment = Where(context, name, deployment) }, OrchClient.Unary(cancellationToken));
            Show(context, rollout);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Advance(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var deployment = DeploymentOption();
        var reason = ModelCommands.ReasonOption();
        var command = new Command("advance", """
            Move a rollout to its next step now, whatever the step's hold; at the last step the challenger becomes champion.

            Example:
              orch models rollout advance churn --reason "metrics look fine"
            """) { name, deployment, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var rollout = await context.Client.Rollouts.AdvanceRolloutAsync(
                new AdvanceRolloutRequest { Deployment = Where(context, name, deployment), Reason = context.Parse.GetValue(reason) ?? "" }, ModelCommands.AsUser(context, cancellationToken));
            Show(context, rollout);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RollBack(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var deployment = DeploymentOption();
        var reason = new Option<string>("--reason") { Description = "why, for the audit trail", Required = true, HelpName = "TEXT" };
        var command = new Command("rollback", """
            Withdraw a rollout's challenger now: the champion serves every request.

            Example:
              orch models rollout rollback churn --reason "p99 latency doubled"
            """) { name, deployment, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var rollout = await context.Client.Rollouts.RollBackRolloutAsync(
                new RollBackRolloutRequest { Deployment = Where(context, name, deployment), Reason = context.Parse.GetValue(reason)! }, ModelCommands.AsUser(context, cancellationToken));
            Show(context, rollout);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The <c>--deployment</c> option every rollout command takes.</summary>
    internal static Option<string> DeploymentOption() => new("--deployment") { Description = "the model deployment (default: default)", HelpName = "D" };

    /// <summary>The deployment a command names: the tenant, the model argument, the --deployment option.</summary>
    internal static DeploymentRef Where(CommandContext context, Argument<string> name, Option<string> deployment) => new()
    {
        Tenant = context.Settings.Tenant, Model = context.Parse.GetValue(name)!, Deployment = context.Parse.GetValue(deployment) ?? "",
    };

    /// <summary>A plan from --steps and --bake; null when neither is given (the deployment's policy applies).</summary>
    internal static RolloutPlan? Plan(string? steps, string? bake)
    {
        if (steps is null && bake is null) return null;
        TimeSpan hold;
        try
        {
            hold = bake is null ? TimeSpan.FromMinutes(10) : Durations.Parse(bake);
        }
        catch (FormatException e)
        {
            throw new CliUsageException($"--bake '{bake}': {e.Message}");
        }

        var plan = new RolloutPlan();
        foreach (var part in (steps ?? "10,50,100").Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
                throw new CliUsageException($"--steps '{steps}': '{part}' is not a percentage; give whole numbers 1-100, ascending, ending at 100 (e.g. 10,50,100)");
            plan.Steps.Add(new RolloutStep { Percent = percent, Bake = Duration.FromTimeSpan(hold) });
        }

        // The default guards apply with explicit steps too: a plan without guards would never roll back by itself.
        plan.Guards.Add(new RolloutGuard { Metric = "accuracy", MaxRegression = 0.02 });
        plan.Guards.Add(new RolloutGuard { Metric = "auc", MaxRegression = 0.02 });
        return plan;
    }

    private static void Show(CommandContext context, Rollout rollout)
    {
        if (context.Output != OutputFormat.Table)
        {
            context.Write(rollout);
            return;
        }

        var where = $"model {rollout.Model}, deployment {rollout.Deployment}";
        switch (rollout.Phase)
        {
            case "idle":
                context.WriteLine($"{where}: no rollout yet");
                return;
            case "progressing":
                context.WriteLine($"{where}: version {rollout.ChallengerVersion} at {rollout.ChallengerPercent}% (step {rollout.Step + 1} of {rollout.Plan.Steps.Count}) against champion {rollout.ChampionVersion}");
                break;
            default:
                context.WriteLine($"{where}: rollout of version {rollout.ChallengerVersion} {rollout.Phase.Replace('_', ' ')}");
                break;
        }

        if (rollout.Reason.Length > 0) context.WriteLine($"  {rollout.Reason}");
        if (rollout.Phase != "progressing") return;
        foreach (var (label, stats) in new[] { ("champion", rollout.ChampionAtStep), ("challenger", rollout.ChallengerAtStep) })
        {
            // A step that has seen no monitoring window yet has no stats for either version.
            if (stats is null) continue;
            var metrics = string.Join(", ", stats.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value.ToString("0.####", CultureInfo.InvariantCulture)}"));
            context.WriteLine($"  {label} {stats.Version}: {stats.Predictions:N0} predictions, {stats.Labeled:N0} labeled{(metrics.Length > 0 ? $", {metrics}" : "")}");
        }
    }
}
