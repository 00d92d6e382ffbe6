using System.Globalization;

using Orchestrator.Contracts.V1;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Rendering;

/// <summary>Models, versions, comparisons and audit trails as tables and lines.</summary>
internal static class ModelTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The line <c>models register</c> prints.</summary>
    public static string Registered(RegisterModelVersionResponse response) => response.AlreadyExisted
        ? $"model {response.Version.Name}: version {response.Version.Version} was already registered by request id {response.Version.RequestId}"
        : $"model {response.Version.Name}: version {response.Version.Version} registered ({Humanize.Digest(response.Version.Spec?.Artifact?.Digest ?? "")})";

    /// <summary>The line <c>models alias</c> and <c>models unalias</c> print.</summary>
    public static string AliasChanged(string model, AliasChange change) => change switch
    {
        { Changed: false } => $"model {model}: alias {change.Alias} already points at version {change.Version}; nothing changed",
        { Version: 0 } => $"model {model}: alias {change.Alias} removed (was version {change.PreviousVersion})",
        { PreviousVersion: 0 } => $"model {model}: alias {change.Alias} set to version {change.Version}",
        _ => $"model {model}: alias {change.Alias} moved from version {change.PreviousVersion} to {change.Version}",
    };

    /// <summary>One row per model.</summary>
    public static Table Models(IEnumerable<ModelSummary> models, DateTimeOffset now)
    {
        var table = Tables.Create("NAME", "TENANT", "LATEST", "ALIASES", "UPDATED");
        foreach (var m in models)
        {
            Tables.AddRow(table, m.Name, m.Tenant, m.LatestVersion.ToString(Invariant), Aliases(m.Aliases), Humanize.Age(m.UpdatedAt, now));
        }

        return table;
    }

    /// <summary>A model: its aliases and its versions in brief.</summary>
    public static IRenderable Model(Model model, DateTimeOffset now)
    {
        var header = new Grid().AddColumn().AddColumn();
        header.AddRow(new Text("model"), new Text($"{model.Name} (tenant {model.Tenant})"));
        header.AddRow(new Text("versions"), new Text($"{model.VersionCount}, latest {model.LatestVersion}"));
        header.AddRow(new Text("aliases"), new Text(Aliases(model.Aliases)));
        var versions = Tables.Create("VERSION", "ALIASES", "ARTIFACT", "RUN", "CREATED", "BY", "DESCRIPTION");
        foreach (var v in model.Versions)
        {
            Tables.AddRow(versions, v.Version.ToString(Invariant), string.Join(", ", v.Aliases), Humanize.Digest(v.ArtifactDigest), Or(v.RunId),
                Humanize.Age(v.CreatedAt, now), Or(v.CreatedBy), v.Description);
        }

        return new Rows(header, new Text(""), versions);
    }

    /// <summary>One row per version, as the server lists them (newest first).</summary>
    public static Table Versions(IEnumerable<ModelVersion> versions, DateTimeOffset now)
    {
        var table = Tables.Create("VERSION", "ALIASES", "METRICS", "RUN", "CREATED", "BY");
        foreach (var v in versions)
        {
            var spec = v.Spec ?? new ModelVersionSpec();
            Tables.AddRow(table, v.Version.ToString(Invariant), string.Join(", ", v.Aliases),
                string.Join(' ', spec.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={Number(m.Value)}")),
                Or(spec.Source?.RunId ?? ""), Humanize.Age(v.CreatedAt, now), Or(v.CreatedBy));
        }

        return table;
    }

    /// <summary>One version in full: lineage, metrics, parameters, tags and its profile in brief.</summary>
    public static IRenderable Version(ModelVersion version, DateTimeOffset now)
    {
        var spec = version.Spec ?? new ModelVersionSpec();
        var source = spec.Source ?? new ModelSource();
        var header = new Grid().AddColumn().AddColumn();
        header.AddRow(new Text("model"), new Text($"{version.Name} (tenant {version.Tenant})"));
        header.AddRow(new Text("version"), new Text(version.Aliases.Count == 0 ? $"{version.Version}" : $"{version.Version} ({string.Join(", ", version.Aliases)})"));
        header.AddRow(new Text("created"), new Text($"{Humanize.Age(version.CreatedAt, now)} ago by {Or(version.CreatedBy)}"));
        header.AddRow(new Text("artifact"), new Text($"{Humanize.Digest(spec.Artifact?.Digest ?? "")}  {Humanize.Bytes(spec.Artifact?.SizeBytes ?? 0)}B  {spec.Artifact?.Uri}".TrimEnd()));
        if (source.RunId.Length > 0) header.AddRow(new Text("run"), new Text($"{source.RunId} step {Or(source.StepKey)}"));
        if (source.Pipeline.Length > 0) header.AddRow(new Text("pipeline"), new Text($"{source.Pipeline}@{source.PipelineVersion}"));
        if (spec.TrainingDataDigest.Length > 0) header.AddRow(new Text("data"), new Text(Humanize.Digest(spec.TrainingDataDigest)));
        if (spec.Tags.Count > 0) header.AddRow(new Text("tags"), new Text(Humanize.Labels(spec.Tags)));
        if (spec.Description.Length > 0) header.AddRow(new Text("description"), new Text(spec.Description));
        if (version.GateEvaluation is { } gates)
            header.AddRow(new Text("gates"), new Text($"{GateVerdict(gates)} {Humanize.Age(gates.EvaluatedAt, now)} ago (gates revision {gates.GatesRevision})"));

        var values = Tables.Create("METRIC / PARAMETER", "VALUE");
        foreach (var (name, value) in spec.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal)) Tables.AddRow(values, name, Number(value));
        foreach (var (name, value) in spec.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal)) Tables.AddRow(values, name, value);

        var features = Tables.Create("FEATURE", "KIND", "BINS / CATEGORIES", "SAMPLE");
        var profile = spec.Profile ?? new BaselineProfile();
        foreach (var (name, f) in profile.Numeric.OrderBy(f => f.Key, StringComparer.Ordinal))
            Tables.AddRow(features, name, "numeric", $"{f.Proportions.Count} bins", f.Sample.Count.ToString(Invariant));
        foreach (var (name, f) in profile.Categorical.OrderBy(f => f.Key, StringComparer.Ordinal))
            Tables.AddRow(features, name, "categorical", $"{f.Frequencies.Count} categories", "-");

        return new Rows(header, new Text(""), values, new Text(""), features);
    }

    /// <summary>Metrics and parameters of two versions side by side.</summary>
    public static IRenderable Comparison(CompareModelVersionsResponse c)
    {
        var a = $"V{c.A.Version}";
        var b = $"V{c.B.Version}";
        var metrics = Tables.Create("METRIC", a, b, "DELTA");
        foreach (var m in c.Metrics)
        {
            Tables.AddRow(metrics, m.Name, m.HasA ? Number(m.A) : "-", m.HasB ? Number(m.B) : "-",
                m.HasDelta ? (m.Delta >= 0 ? "+" : "") + Number(m.Delta) : "-");
        }

        var parameters = Tables.Create("PARAMETER", a, b, "");
        foreach (var p in c.Parameters) Tables.AddRow(parameters, p.Name, p.HasA ? p.A : "-", p.HasB ? p.B : "-", p.Differs ? "differs" : "");

        var notes = new Text(
            $"artifact: {(c.ArtifactDiffers ? "differs" : "same")}; training data: {(c.TrainingDataDiffers ? "differs" : "same")}");
        return new Rows(metrics, new Text(""), parameters, new Text(""), notes);
    }

    /// <summary>One row per audit entry, newest first.</summary>
    public static Table Audit(IEnumerable<ModelAuditEntry> entries, DateTimeOffset now)
    {
        var table = Tables.Create("SEQ", "AGE", "WHO", "WHAT", "WHY");
        foreach (var e in entries) Tables.AddRow(table, e.Sequence.ToString(Invariant), Humanize.Age(e.At, now), e.Actor, e.Summary, e.Reason);
        return table;
    }

    /// <summary>A model's gate list, one row per gate.</summary>
    public static IRenderable Gates(ModelGates gates, DateTimeOffset now)
    {
        if (gates.Gates.Count == 0)
            return new Text($"model {gates.Name} has no gates; set them with `orch models gates set {gates.Name} -f gates.yaml`");
        var table = Tables.Create("#", "KIND", "GATE");
        for (var i = 0; i < gates.Gates.Count; i++) Tables.AddRow(table, (i + 1).ToString(Invariant), GateKind(gates.Gates[i]), GateText(gates.Gates[i]));
        var note = new Text($"revision {gates.Revision}, set {Humanize.Age(gates.UpdatedAt, now)} ago by {Or(gates.UpdatedBy)}");
        return new Rows(table, new Text(""), note);
    }

    /// <summary>A gate check: one row per gate, then the verdict.</summary>
    public static IRenderable Evaluation(string model, GateEvaluation evaluation)
    {
        var table = Tables.Create("GATE", "VALUE", "BOUND", "PASSED", "MESSAGE");
        foreach (var r in evaluation.Results)
        {
            Tables.AddRow(table, r.Gate, r.HasValue ? Number(r.Value) : "-", r.HasBound ? $"{r.Comparison} {Number(r.Bound)}" : "-", r.Passed ? "yes" : "NO", r.Message);
        }

        var champion = evaluation.ChampionVersion == 0 ? "no champion" : $"champion version {evaluation.ChampionVersion}";
        var verdict = new Text($"model {model} version {evaluation.Version}: {GateVerdict(evaluation)} (gates revision {evaluation.GatesRevision}, {champion})");
        return evaluation.Results.Count == 0 ? verdict : new Rows(table, new Text(""), verdict);
    }

    private static string GateVerdict(GateEvaluation e) => e.Results.Count == 0
        ? "passed (no gates set)"
        : e.Passed ? $"passed all {e.Results.Count} gates" : $"FAILED {e.Results.Count(r => !r.Passed)} of {e.Results.Count} gates";

    private static string GateKind(ValidationGate gate) => gate.KindCase switch
    {
        ValidationGate.KindOneofCase.MetricThreshold => "metric_threshold",
        ValidationGate.KindOneofCase.BeatChampion => "beat_champion",
        ValidationGate.KindOneofCase.SegmentGap => "segment_gap",
        ValidationGate.KindOneofCase.MaxArtifactSize => "max_artifact_size",
        _ => "-",
    };

    private static string GateText(ValidationGate gate)
    {
        var text = gate.KindCase switch
        {
            ValidationGate.KindOneofCase.MetricThreshold => gate.MetricThreshold.Expression,
            ValidationGate.KindOneofCase.BeatChampion =>
                $"{gate.BeatChampion.Metric} better than the champion by {Number(gate.BeatChampion.Margin)} ({(gate.BeatChampion.HigherIsBetter ? "higher" : "lower")} is better)",
            ValidationGate.KindOneofCase.SegmentGap =>
                $"{gate.SegmentGap.Metric} gap across {string.Join(", ", gate.SegmentGap.Segments)} <= {Number(gate.SegmentGap.MaxGap)}",
            ValidationGate.KindOneofCase.MaxArtifactSize => $"artifact <= {gate.MaxArtifactSize.MaxBytes.ToString("N0", Invariant)} bytes",
            _ => "-",
        };
        return gate.Name.Length == 0 ? text : $"{gate.Name}: {text}";
    }

    private static string Aliases(IEnumerable<KeyValuePair<string, int>> aliases) =>
        string.Join(", ", aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}=v{a.Value}")) is { Length: > 0 } text ? text : "-";

    private static string Number(double value) => value.ToString("G6", Invariant);

    private static string Or(string text) => text.Length == 0 ? "-" : text;
}
