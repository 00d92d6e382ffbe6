using System.CommandLine;
using System.Globalization;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch models traffic MODEL</c>: sends synthetic prediction traffic (and its labels) to the model's monitor,
/// routed between champion and challenger as the deployment's traffic split says.</summary>
internal static class ModelTrafficCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliApp app)
    {
        var name = ModelCommands.NameArgument();
        var records = new Option<int>("--records") { Description = "predictions to send (1-10,000,000)", HelpName = "N", DefaultValueFactory = _ => 10_000 };
        var shift = new Option<double>("--shift") { Description = "move every numeric feature by this many standard deviations of the baseline (drift)", HelpName = "SIGMAS" };
        var accuracy = new Option<double>("--accuracy") { Description = "share of the champion's predictions that are right", HelpName = "A", DefaultValueFactory = _ => 0.8 };
        var challengerAccuracy = new Option<double?>("--challenger-accuracy") { Description = "share of the challenger's predictions that are right (default: --accuracy)", HelpName = "A" };
        var deployment = new Option<string?>("--deployment") { Description = "the model deployment (default: \"default\")", HelpName = "NAME" };
        var noLabels = new Option<bool>("--no-labels") { Description = "send predictions only, no labels" };
        var batch = new Option<int>("--batch") { Description = "records per batch (1-10,000); the traffic split is read again before each", HelpName = "N", DefaultValueFactory = _ => 1_000 };
        var seed = new Option<int>("--seed") { Description = "random seed (the same seed sends the same traffic)", HelpName = "N", DefaultValueFactory = _ => 1 };
        var command = new Command("traffic", """
            Send synthetic prediction traffic to a model's monitor, as a serving layer would: features drawn from the
            champion's baseline profile (moved by --shift standard deviations to make drift), each request routed to
            champion or challenger by a hash of its id and the deployment's traffic split (GetTrafficSplit, read again
            before every batch), then labels that make each version as accurate as asked. For demos and trials; real
            traffic comes from your serving layer through MonitoringService.

            Examples:
              orch models traffic churn --records 10000                 calm traffic
              orch models traffic churn --records 10000 --shift 2       drifted traffic
              orch models traffic churn --records 20000 --shift 2 --accuracy 0.6 --challenger-accuracy 0.9
            """) { name, records, shift, accuracy, challengerAccuracy, deployment, noLabels, batch, seed };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var model = context.Parse.GetValue(name)!;
            var total = context.Parse.GetValue(records);
            var size = context.Parse.GetValue(batch);
            var champion = context.Parse.GetValue(accuracy);
            var challenger = context.Parse.GetValue(challengerAccuracy) ?? champion;
            if (total is < 1 or > 10_000_000) throw new CliUsageException($"--records {total} is not 1 to 10,000,000");
            if (size is < 1 or > 10_000) throw new CliUsageException($"--batch {size} is not 1 to 10,000");
            if (champion is < 0 or > 1) throw new CliUsageException($"--accuracy {champion} is not a share from 0 to 1");
            if (challenger is < 0 or > 1) throw new CliUsageException($"--challenger-accuracy {challenger} is not a share from 0 to 1");
            var tenant = context.Settings.Tenant;
            var deploymentName = context.Parse.GetValue(deployment) ?? "";

            var baseline = await context.Client.Models.GetModelVersionAsync(
                new GetModelVersionRequest { Tenant = tenant, Name = model, Version = "champion" }, OrchClient.Unary(cancellationToken));
            if (baseline.Spec?.Profile is not { } profile || profile.Numeric.Count + profile.Categorical.Count == 0)
                throw new CliUsageException($"the champion (version {baseline.Version}) of model {model} has no baseline profile to draw features from");
            var traffic = new SyntheticTraffic(profile, context.Parse.GetValue(shift), context.Parse.GetValue(seed));
            var prefix = $"{model}-{context.Parse.GetValue(seed)}-{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
            var where = new DeploymentRef { Tenant = tenant, Model = model, Deployment = deploymentName };
            var byVersion = new SortedDictionary<int, long>();
            long joined = 0, windows = 0;
            for (var sent = 0; sent < total; sent += size)
            {
                var split = await context.Client.Rollouts.GetTrafficSplitAsync(new GetTrafficSplitRequest { Deployment = where }, OrchClient.Unary(cancellationToken));
                var predictions = new PredictionBatch { Tenant = tenant, Model = model, Deployment = deploymentName };
                var labels = new LabelBatch { Tenant = tenant, Model = model, Deployment = deploymentName };
                for (var i = sent; i < Math.Min(total, sent + size); i++)
                {
                    var id = $"{prefix}-{i}";
                    var toChallenger = split.ChallengerVersion > 0 && SyntheticTraffic.ToChallenger(id, split.ChallengerPercent);
                    var version = toChallenger ? split.ChallengerVersion : split.ChampionVersion;
                    var (record, label) = traffic.Next(id, version, toChallenger ? challenger : champion);
                    predictions.Records.Add(record);
                    labels.Labels.Add(label);
                    byVersion[version] = byVersion.GetValueOrDefault(version) + 1;
                }

                using (var stream = context.Client.Monitoring.StreamPredictions(OrchClient.Streaming(cancellationToken)))
                {
                    await stream.RequestStream.WriteAsync(predictions, cancellationToken);
                    await stream.RequestStream.CompleteAsync();
                    windows += (await stream.ResponseAsync).WindowsClosed;
                }

                if (!context.Parse.GetValue(noLabels))
                    joined += (await context.Client.Monitoring.SendLabelsAsync(labels, OrchClient.Unary(cancellationToken))).Joined;
            }

            var versions = string.Join(", ", byVersion.Select(v => $"version {v.Key}: {v.Value.ToString("N0", CultureInfo.InvariantCulture)}"));
            context.WriteLine($"model {model}: sent {total.ToString("N0", CultureInfo.InvariantCulture)} predictions ({versions}), " +
                $"{joined.ToString("N0", CultureInfo.InvariantCulture)} labels joined, {windows} window{(windows == 1 ? "" : "s")} closed");
            return ExitCodes.Success;
        });
        return command;
    }
}
