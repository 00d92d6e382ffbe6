using System.CommandLine;
using System.Globalization;

using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch drift config MODEL [set -f FILE]</c>: a deployment's monitor configuration.</summary>
internal static class DriftConfigCommands
{
    /// <summary>The <c>config</c> command: shows the configuration; <c>set</c> below it.</summary>
    public static Command Create(CliApp app)
    {
        var model = ModelCommands.NameArgument();
        var deployment = DeploymentOption();
        var command = new Command("config", """
            Show a model deployment's monitor configuration: when a window closes (records, time), the sample kept per
            numeric feature for KS and Wasserstein, and the drift thresholds, defaults filled in.

            Examples:
              orch drift config churn
              orch drift config set churn -f monitor.yaml
            """) { model, deployment };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var config = await context.Client.Monitoring.GetMonitorConfigAsync(new GetMonitorConfigRequest
            {
                Tenant = context.Settings.Tenant, Model = context.Parse.GetValue(model)!, Deployment = context.Parse.GetValue(deployment) ?? "",
            }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(Describe(context.Parse.GetValue(model)!, config));
            else context.Write(config);
            return ExitCodes.Success;
        });
        command.Subcommands.Add(Set(app));
        return command;
    }

    private static Command Set(CliApp app)
    {
        var model = ModelCommands.NameArgument();
        var deployment = DeploymentOption();
        var file = new Option<string>("--file", "-f") { Description = "the configuration's YAML file", Required = true, HelpName = "FILE" };
        var command = new Command("set", """
            Set a model deployment's monitor configuration from a YAML file; fields left out take their defaults. The open
            window restarts under it; closed windows keep their scores.

            Example file:
              window_records: 5000          # a window closes after 5,000 records (default 10,000)
              window_duration: 15m          # ... or 15 minutes, whichever comes first (default 1h)
              sample_size: 500              # values per numeric feature for KS and Wasserstein (default 1,000)
              thresholds: {psi: 0.25, ks_pvalue: 0.01, js_distance: 0.1, wasserstein: 0.1, chi2_pvalue: 0.05,
                           dataset_drift_share: 0.5}

            Example:
              orch drift config set churn -f monitor.yaml
            """) { model, deployment, file };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var config = CliFiles.ReadYaml(context.Parse.GetValue(file)!, ProtoYaml.Parse<MonitorConfig>);
            var name = context.Parse.GetValue(model)!;
            var set = await context.Client.Monitoring.SetMonitorConfigAsync(new SetMonitorConfigRequest
            {
                Tenant = context.Settings.Tenant, Model = name, Deployment = context.Parse.GetValue(deployment) ?? "", Config = config,
            }, ModelCommands.AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(Describe(name, set));
            else context.Write(set);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string?> DeploymentOption() =>
        new("--deployment") { Description = "the model deployment (default: \"default\")", HelpName = "NAME" };

    /// <summary>The configuration in one line.</summary>
    private static string Describe(string model, MonitorConfig c)
    {
        var t = c.Thresholds;
        return string.Create(CultureInfo.InvariantCulture,
            $"model {model}: windows close at {c.WindowRecords:N0} records or {c.WindowDuration}; {c.SampleSize:N0} values sampled per numeric feature; " +
            $"a feature drifts at PSI {t.Psi:G4}, KS p < {t.KsPvalue:G4}{(t.KsBonferroni ? " (Bonferroni)" : "")}, JS {t.JsDistance:G4}, " +
            $"Wasserstein {t.Wasserstein:G4}, chi-squared p < {t.Chi2Pvalue:G4}{(t.Chi2Bonferroni ? " (Bonferroni)" : "")}; the dataset at {t.DatasetDriftShare:P0} of features");
    }
}
