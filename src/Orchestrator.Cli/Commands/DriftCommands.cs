using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using Orchestrator.Core.Drift;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch drift</c>: drift statistics; <c>compare</c> runs the monitors' scoring and decision on two files, no server needed.</summary>
internal static class DriftCommands
{
    /// <summary>The <c>drift</c> command and its subcommands.</summary>
    public static Command Create(CliApp app)
    {
        var command = new Command("drift", "Drift statistics and decisions (PSI, Kolmogorov-Smirnov, Jensen-Shannon, Wasserstein, chi-squared).");
        command.Subcommands.Add(Compare(app));
        command.Subcommands.Add(DriftConfigCommands.Create(app));
        DriftModelCommand.AddTo(command, app);
        return command;
    }

    private static Command Compare(CliApp app)
    {
        var reference = new Option<string>("--reference") { Description = "the reference (baseline) sample: one value per line, or a CSV with --column", HelpName = "FILE", Required = true };
        var current = new Option<string>("--current") { Description = "the current sample, in the same form", HelpName = "FILE", Required = true };
        var categorical = new Option<bool>("--categorical") { Description = "compare categories (PSI, Jensen-Shannon, chi-squared) instead of numbers" };
        var column = new Option<string?>("--column") { Description = "read this column of a CSV file with a header row", HelpName = "NAME" };
        var bins = new Option<int>("--bins")
        {
            Description = "numeric only: quantile bins cut from the reference for PSI and Jensen-Shannon",
            HelpName = "N",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("compare", """
            Compare two samples offline with exactly the code the drift monitors run, and print every statistic with
            its threshold and whether it drifted, then the decision (a feature drifts when any statistic crosses its
            threshold: PSI >= 0.2, KS p < 0.05, Jensen-Shannon >= 0.1, Wasserstein / reference std >= 0.1,
            chi-squared p < 0.05). Exit code 0 whether or not it drifted; 2 for bad input.

            Examples:
              orch drift compare --reference train.txt --current today.txt
              orch drift compare --reference train.csv --current today.csv --column age -o json
              orch drift compare --reference train.csv --current today.csv --column country --categorical
            """) { reference, current, categorical, column, bins };
        app.SetAction(command, (context, _) =>
        {
            if (context.Output == OutputFormat.Yaml) throw new CliUsageException("-o yaml does not apply to 'drift compare'; use -o table or -o json");
            var settings = new CompareSettings(
                context.Parse.GetValue(reference)!,
                context.Parse.GetValue(current)!,
                context.Parse.GetValue(categorical),
                context.Parse.GetValue(column),
                context.Parse.GetValue(bins));
            var scores = Score(settings);
            var decision = DriftDecider.DecideFeature(scores, DriftThresholds.Default);
            if (context.Output == OutputFormat.Json) context.WriteLine(Json(scores, decision).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else WriteTable(context, settings, scores, decision);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static FeatureDriftScores Score(CompareSettings settings)
    {
        if (settings.Bins < 2) throw new CliUsageException($"--bins {settings.Bins}: give at least 2 bins");
        if (settings.Categorical && settings.Bins != 10) throw new CliUsageException("--bins applies to numbers; categories are their own bins, so drop --bins or --categorical");
        var feature = settings.Column ?? "value";
        var referenceValues = DriftSampleFile.ReadValues("--reference", settings.Reference, settings.Column);
        var currentValues = DriftSampleFile.ReadValues("--current", settings.Current, settings.Column);
        if (settings.Categorical)
        {
            var counts = CategoryCounts.FromValues(referenceValues.Select(v => v.Text), currentValues.Select(v => v.Text));
            return DriftScorer.ScoreCategorical(feature, counts.Reference, counts.Current);
        }

        var referenceNumbers = DriftSampleFile.ParseNumbers("--reference", settings.Reference, referenceValues);
        var currentNumbers = DriftSampleFile.ParseNumbers("--current", settings.Current, currentValues);
        return DriftScorer.ScoreNumeric(feature, referenceNumbers, currentNumbers, settings.Bins);
    }

    private static JsonObject Json(FeatureDriftScores scores, FeatureDriftDecision decision)
    {
        var json = new JsonObject
        {
            ["kind"] = scores.Kind == FeatureKind.Categorical ? "categorical" : "numeric",
            ["reference_count"] = scores.ReferenceCount,
            ["current_count"] = scores.CurrentCount,
        };
        if (scores.KolmogorovSmirnov is { } ks)
        {
            json["ks_statistic"] = ks.Statistic;
            json["ks_pvalue"] = ks.PValue;
            json["ks_method"] = ks.Method == KolmogorovSmirnovMethod.Exact ? "exact" : "asymptotic";
        }

        json["psi"] = scores.Psi;
        json["js_distance"] = scores.JensenShannon;
        if (scores.Wasserstein is { } w)
        {
            json["wasserstein"] = w;
            json["wasserstein_normalized"] = scores.WassersteinNormalized;
            json["reference_std"] = scores.ReferenceStandardDeviation;
        }

        if (scores.ChiSquared is { } chi)
        {
            json["chi2_statistic"] = chi.Statistic;
            json["chi2_pvalue"] = chi.PValue;
            json["chi2_dof"] = chi.DegreesOfFreedom;
        }

        var thresholds = new JsonObject();
        foreach (var verdict in decision.Verdicts)
        {
            thresholds[Key(verdict.Statistic)] = new JsonObject
            {
                ["threshold"] = verdict.Threshold,
                ["drifts_when"] = verdict.IsPValue ? "below" : "at_or_above",
                ["drifted"] = verdict.Drifted,
            };
        }

        json["thresholds"] = thresholds;
        json["drift"] = decision.Drifted;
        return json;
    }

    private static void WriteTable(CommandContext context, CompareSettings settings, FeatureDriftScores scores, FeatureDriftDecision decision)
    {
        var kind = scores.Kind == FeatureKind.Categorical ? "categorical" : "numeric";
        var column = settings.Column is null ? "" : $" column '{settings.Column}'";
        context.WriteLine($"{kind}{column}: reference {scores.ReferenceCount:N0} values ({settings.Reference}), current {scores.CurrentCount:N0} values ({settings.Current})");
        var rows = new List<(string Name, string Value, string Threshold, string Drifted)>();
        var verdicts = decision.Verdicts.ToDictionary(v => v.Statistic);
        if (scores.KolmogorovSmirnov is { } ks)
        {
            rows.Add(("ks_statistic", Number(ks.Statistic), "", ""));
            rows.Add(Row("ks_pvalue", verdicts[DriftStatistic.KolmogorovSmirnov]));
        }

        rows.Add(Row("psi", verdicts[DriftStatistic.Psi]));
        rows.Add(Row("js_distance", verdicts[DriftStatistic.JensenShannon]));
        if (scores.Wasserstein is { } w)
        {
            rows.Add(("wasserstein", Number(w), "", ""));
            rows.Add(Row("wasserstein_normalized", verdicts[DriftStatistic.Wasserstein]));
        }

        if (scores.ChiSquared is { } chi)
        {
            rows.Add(("chi2_statistic", $"{Number(chi.Statistic)} (dof {chi.DegreesOfFreedom})", "", ""));
            rows.Add(Row("chi2_pvalue", verdicts[DriftStatistic.ChiSquared]));
        }

        rows.Insert(0, ("STATISTIC", "VALUE", "THRESHOLD", "DRIFTED"));
        int nameWidth = rows.Max(r => r.Name.Length), valueWidth = rows.Max(r => r.Value.Length), thresholdWidth = rows.Max(r => r.Threshold.Length);
        foreach (var (name, value, threshold, drifted) in rows)
        {
            context.WriteLine($"{name.PadRight(nameWidth)}  {value.PadRight(valueWidth)}  {threshold.PadRight(thresholdWidth)}  {drifted}".TrimEnd());
        }

        var voters = decision.Verdicts.Count(v => v.Votes);
        context.WriteLine(decision.Drifted
            ? $"drift: yes ({decision.Votes} of {voters} statistics crossed their threshold; {decision.RequiredVotes} needed)"
            : $"drift: no (none of {voters} statistics crossed its threshold)");
    }

    private static (string, string, string, string) Row(string name, StatisticVerdict verdict) =>
        (name, Number(verdict.Value), $"{(verdict.IsPValue ? "<" : ">=")} {Number(verdict.Threshold)}", verdict.Drifted ? "yes" : "no");

    private static string Number(double value) => value.ToString(Math.Abs(value) is > 0 and < 1e-4 ? "0.####e+0" : "0.######", CultureInfo.InvariantCulture);

    private static string Key(DriftStatistic statistic) => statistic switch
    {
        DriftStatistic.Psi => "psi",
        DriftStatistic.KolmogorovSmirnov => "ks_pvalue",
        DriftStatistic.JensenShannon => "js_distance",
        DriftStatistic.Wasserstein => "wasserstein_normalized",
        DriftStatistic.ChiSquared => "chi2_pvalue",
        _ => statistic.ToString(),
    };

    private sealed record CompareSettings(string Reference, string Current, bool Categorical, string? Column, int Bins);
}
