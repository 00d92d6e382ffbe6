using System.CommandLine;
using System.Globalization;

using Orchestrator.Contracts.V1;
using Orchestrator.Cli.Rendering;

using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch drift MODEL</c>: the monitor's latest scores per feature and a small chart of recent windows.</summary>
internal static class DriftModelCommand
{
    private const string Bars = "▁▂▃▄▅▆▇█";

    /// <summary>Adds the model argument and its action to the <c>drift</c> command.</summary>
    public static void AddTo(Command drift, CliApp app)
    {
        var model = new Argument<string?>("MODEL") { Description = "a monitored model (its predictions are streamed to MonitoringService)", Arity = ArgumentArity.ZeroOrOne };
        var windows = new Option<int>("--windows") { Description = "recent windows to chart or export (1-500: the history a monitor keeps)", HelpName = "N", DefaultValueFactory = _ => 12 };
        var deployment = new Option<string?>("--deployment") { Description = "the model deployment whose monitor to read (default: \"default\")", HelpName = "NAME" };
        drift.Arguments.Add(model);
        drift.Options.Add(windows);
        drift.Options.Add(deployment);
        drift.Description += """


            With MODEL: its monitor's latest closed window (every feature's scores and whether it drifted, the live
            metrics) and each feature's PSI over the recent windows as a small chart, oldest to newest.

            Examples:
              orch drift churn
              orch drift churn --windows 48 -o json
              orch drift churn --deployment eu-west --windows 500 -o json   (export the whole history)
            """;
        app.SetAction(drift, async (context, cancellationToken) =>
        {
            var name = context.Parse.GetValue(model) ?? throw new CliUsageException("give a model (orch drift MODEL) or a subcommand (orch drift compare --help)");
            var count = context.Parse.GetValue(windows);
            if (count is < 1 or > 500) throw new CliUsageException($"--windows {count} is not 1 to 500");
            var deploymentName = context.Parse.GetValue(deployment) ?? "";
            var response = await context.Client.Monitoring.GetDriftAsync(
                new GetDriftRequest { Tenant = context.Settings.Tenant, Model = name, Windows = count, Deployment = deploymentName }, OrchClient.Unary(cancellationToken));
            if (context.Output != OutputFormat.Table)
            {
                context.Write(response);
                return ExitCodes.Success;
            }

            context.WriteLine(Summary(response.Deployment is "" or "default" ? name : $"{name} ({response.Deployment})", response));
            if (response.Windows.Count > 0) context.Write(Table(response));
            return ExitCodes.Success;
        });
    }

    private static string Summary(string model, GetDriftResponse response)
    {
        var open = $"open window: {response.OpenRecords.ToString("N0", CultureInfo.InvariantCulture)} records; {response.AwaitingLabels.ToString("N0", CultureInfo.InvariantCulture)} predictions await labels";
        if (response.Windows.Count == 0) return $"model {model}, baseline of version {response.Version}: no window has closed yet; {open}";
        var latest = response.Windows[0];
        var drifted = latest.Features.Count(f => f.Drifted);
        var metrics = latest.Metrics.Count == 0 ? "no labels joined" : string.Join(", ", latest.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value.ToString("0.###", CultureInfo.InvariantCulture)}"));
        if (latest.ByVersion.Count > 0)
        {
            metrics += "; by version: " + string.Join(", ", latest.ByVersion.Select(v =>
                $"v{v.Version} {v.Predictions.ToString("N0", CultureInfo.InvariantCulture)} predictions" +
                string.Concat(v.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $" {m.Key} {m.Value.ToString("0.###", CultureInfo.InvariantCulture)}"))));
        }

        return $"model {model}, baseline of version {response.Version}: latest window {Humanize.Clock(latest.Start)}-{Humanize.Clock(latest.End)}, " +
            $"{latest.Records.ToString("N0", CultureInfo.InvariantCulture)} records, dataset drift {(latest.Drifted ? "YES" : "no")} ({drifted} of {latest.Features.Count} features); {metrics}; {open}";
    }

    private static Table Table(GetDriftResponse response)
    {
        var table = Tables.Create("FEATURE", "KIND", "DRIFT", "PSI", "KS P", "JS", "WASSERSTEIN", "CHI2 P", "PSI OVER WINDOWS");
        var oldestFirst = response.Windows.Reverse().ToList();
        foreach (var feature in response.Windows[0].Features)
        {
            table.AddRow(
                new Text(feature.Feature),
                new Text(feature.Kind),
                new Markup(feature.Drifted ? "[red]yes[/]" : "[green]no[/]"),
                new Text(Number(feature.Psi)),
                new Text(feature.HasKsPvalue ? PValue(feature.KsPvalue) : "-"),
                new Text(Number(feature.JsDistance)),
                new Text(feature.HasWasserstein ? Number(feature.Wasserstein) : "-"),
                new Text(feature.HasChi2Pvalue ? PValue(feature.Chi2Pvalue) : "-"),
                new Text(Chart(oldestFirst.Select(w => w.Features.FirstOrDefault(f => f.Feature == feature.Feature)?.Psi))));
        }

        return table;
    }

    /// <summary>One bar per window, scaled to the largest PSI shown (at least the 0.2 threshold, so calm traffic stays low); a gap where the feature had no values.</summary>
    public static string Chart(IEnumerable<double?> values)
    {
        var list = values.ToList();
        var top = Math.Max(0.2, list.Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max());
        return new string([.. list.Select(v => v is not { } x ? ' ' : Bars[(int)Math.Clamp(Math.Round(x / top * (Bars.Length - 1)), 0, Bars.Length - 1)])]);
    }

    private static string Number(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string PValue(double value) => value < 0.001 ? value.ToString("0.0e0", CultureInfo.InvariantCulture) : value.ToString("0.000", CultureInfo.InvariantCulture);
}
