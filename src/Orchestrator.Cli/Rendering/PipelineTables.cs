using Orchestrator.Contracts.V1;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Rendering;

/// <summary>Pipelines, their versions and one version's spec as tables and lines.</summary>
internal static class PipelineTables
{
    /// <summary>The line <c>pipeline apply</c> prints.</summary>
    public static string Applied(CreatePipelineVersionResponse response)
    {
        var version = response.Version;
        return response.AlreadyExisted
            ? $"pipeline {version.Name}: unchanged (identical to version {version.Version}, {Humanize.Digest(version.Digest)})"
            : $"pipeline {version.Name}: version {version.Version} ({Humanize.Digest(version.Digest)}) created";
    }

    /// <summary>One row per pipeline.</summary>
    public static Table Pipelines(IEnumerable<PipelineSummary> pipelines, DateTimeOffset now)
    {
        var table = Tables.Create("NAME", "TENANT", "LATEST", "DIGEST", "VERSIONS", "UPDATED");
        foreach (var p in pipelines)
        {
            Tables.AddRow(table, p.Name, p.Tenant, p.LatestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Humanize.Digest(p.LatestDigest), p.VersionCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Humanize.Age(p.UpdatedAt, now));
        }

        return table;
    }

    /// <summary>One row per version, as the server lists them (newest first).</summary>
    public static Table Versions(IEnumerable<PipelineVersion> versions, DateTimeOffset now)
    {
        var table = Tables.Create("VERSION", "DIGEST", "CREATED", "BY", "DESCRIPTION");
        foreach (var v in versions)
        {
            Tables.AddRow(table, v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), Humanize.Digest(v.Digest),
                Humanize.Age(v.CreatedAt, now), v.CreatedBy, v.Description);
        }

        return table;
    }

    /// <summary>A version: who and when, its parameters, and its steps with what they need.</summary>
    public static IRenderable Version(PipelineVersion version, DateTimeOffset now)
    {
        var spec = version.Spec ?? new PipelineSpec();
        var header = new Grid().AddColumn().AddColumn();
        header.AddRow(new Text("pipeline"), new Text($"{version.Name} (tenant {version.Tenant})"));
        header.AddRow(new Text("version"), new Text($"{version.Version}  {Humanize.Digest(version.Digest)}"));
        header.AddRow(new Text("created"), new Text($"{Humanize.Age(version.CreatedAt, now)} ago by {Or(version.CreatedBy)}"));
        if (version.Description.Length > 0) header.AddRow(new Text("note"), new Text(version.Description));
        if (spec.Description.Length > 0) header.AddRow(new Text("description"), new Text(spec.Description));

        var parameters = Tables.Create("PARAMETER", "TYPE", "DEFAULT", "DESCRIPTION");
        foreach (var p in spec.Parameters)
        {
            Tables.AddRow(parameters, p.Name, p.Type == ParameterType.Unspecified ? "string" : EnumText.Short(p.Type),
                p.Default is null ? "(required)" : p.Default.ToString(), p.Description);
        }

        var steps = Tables.Create("STEP", "COMMAND", "NEEDS", "FOREACH", "WHEN", "RESOURCES");
        foreach (var s in spec.Steps.Append(spec.ExitHandler).OfType<StepSpec>())
        {
            var name = ReferenceEquals(s, spec.ExitHandler) ? $"{s.Name} (exit handler)" : s.Name;
            var reads = s.Register is { } r ? new[] { r.Artifact, r.Metrics, r.Profile, r.TrainingData } : s.Inputs.Values.AsEnumerable();
            var needs = reads.Select(StepOfReference).OfType<string>().Concat(s.After).Distinct(StringComparer.Ordinal);
            Tables.AddRow(steps, name, s.Register is null ? string.Join(' ', s.Command) : Registration(s.Register), string.Join(", ", needs), s.Foreach, s.When,
                Resources(s.Resources));
        }

        return new Rows(header, new Text(""), parameters, steps);
    }

    /// <summary>What a register step does, in the command column: it runs no command.</summary>
    private static string Registration(RegisterSpec r) =>
        $"register model {r.Model} from {r.Artifact}" + (r.Alias.Length > 0 ? $" as {r.Alias}" : "");

    private static string Resources(Resources? r)
    {
        if (r is null) return "";
        var parts = new List<string>();
        if (r.Cpu.Length > 0) parts.Add($"cpu {r.Cpu}");
        if (r.Memory.Length > 0) parts.Add($"mem {r.Memory}");
        if (r.Gpus > 0) parts.Add(r.GpuModel.Length > 0 ? $"{r.Gpus}x {r.GpuModel}" : $"{r.Gpus} gpu");
        if (r.Pools.Count > 0) parts.Add($"pools {string.Join('|', r.Pools)}");
        if (r.Replicas > 1) parts.Add($"{r.Replicas} replicas");
        return string.Join(", ", parts);
    }

    private static string? StepOfReference(string input)
    {
        const string Prefix = "{{steps.";
        var start = input.IndexOf(Prefix, StringComparison.Ordinal);
        if (start < 0) return null;
        var end = input.IndexOf('.', start + Prefix.Length);
        return end < 0 ? null : input[(start + Prefix.Length)..end].Trim();
    }

    private static string Or(string text) => text.Length == 0 ? "-" : text;
}
