using System.Globalization;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Models;

/// <summary>Checks a version before it is stored; every problem is reported with its field path (relative to the
/// version, as in the YAML file of <c>orch models register</c>) and the fix.</summary>
public static class ModelVersionValidator
{
    /// <summary>The spec, normalized (digests bare and lowercase), when it is valid.</summary>
    /// <exception cref="ValidationException">With every problem found.</exception>
    public static ModelVersionSpec Validate(ModelVersionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<ValidationError>();
        var artifactDigest = CheckArtifact(spec.Artifact, errors);
        CheckSource(spec.Source, errors);
        CheckEntries(spec.Parameters, "parameters", errors, value => value.Length > ModelLimits.MaxParameterValueLength
            ? $"is {value.Length} characters; a parameter value is at most {ModelLimits.MaxParameterValueLength}" : null);
        CheckMetrics(spec.Metrics, errors);
        var dataDigest = "";
        if (spec.TrainingDataDigest.Length > 0 && !ModelNames.TryNormalizeDigest(spec.TrainingDataDigest, out dataDigest))
            errors.Add(new("training_data_digest", $"'{Clip(spec.TrainingDataDigest)}' is not a sha256 digest: give 64 hex characters (a 'sha256:' prefix is allowed), or leave it out"));
        CheckTags(spec.Tags, errors);
        ProfileValidator.Check(spec.Profile, errors);
        if (spec.Description.Length > ModelLimits.MaxTextLength)
            errors.Add(new("description", $"is {spec.Description.Length} characters; shorten it to at most {ModelLimits.MaxTextLength}"));

        if (errors.Count > 0) throw new ValidationException(errors);
        return spec with { Artifact = spec.Artifact with { Digest = artifactDigest }, TrainingDataDigest = dataDigest };
    }

    private static string CheckArtifact(ModelArtifact artifact, List<ValidationError> errors)
    {
        var digest = "";
        if (artifact.Digest.Length == 0)
            errors.Add(new("artifact.digest", "is required: give the sha256 of the model file (e.g. the output of `sha256sum model.pkl`)"));
        else if (!ModelNames.TryNormalizeDigest(artifact.Digest, out digest))
            errors.Add(new("artifact.digest", $"'{Clip(artifact.Digest)}' is not a sha256 digest: give 64 hex characters (a 'sha256:' prefix is allowed)"));
        if (artifact.SizeBytes <= 0)
            errors.Add(new("artifact.size_bytes", $"{artifact.SizeBytes} is not a size: give the model file's size in bytes (more than 0)"));
        if (artifact.Uri.Length > ModelLimits.MaxTextLength)
            errors.Add(new("artifact.uri", $"is {artifact.Uri.Length} characters; at most {ModelLimits.MaxTextLength}"));
        return digest;
    }

    private static void CheckSource(ModelSource source, List<ValidationError> errors)
    {
        if (source.RunId.Length > 128 || source.RunId.Any(char.IsWhiteSpace))
            errors.Add(new("source.run_id", $"'{Clip(source.RunId)}' is not a run id: run ids look like run-1a2b3c4d5e6f7a8b (see `orch run list`)"));
        if (source.StepKey.Length > 128)
            errors.Add(new("source.step_key", $"is {source.StepKey.Length} characters; a step key is at most 128"));
        if (source.Pipeline.Length > 0 && !PipelineNames.IsPipelineName(source.Pipeline))
            errors.Add(new("source.pipeline", $"'{Clip(source.Pipeline)}' is not a pipeline name: use 1-63 lowercase letters, digits and '-'"));
        if (source.PipelineVersion < 0)
            errors.Add(new("source.pipeline_version", $"{source.PipelineVersion} is negative; give the version number (1, 2, ...) or leave it out"));
    }

    private static void CheckMetrics(IReadOnlyDictionary<string, double> metrics, List<ValidationError> errors)
    {
        CheckEntries(metrics, "metrics", errors, value => double.IsFinite(value)
            ? null : $"{value.ToString(CultureInfo.InvariantCulture)} is not a finite number; give the metric's value or leave the metric out",
            ModelNames.IsMetricName, "use 1-128 letters, digits, '_', '.', ':', '/', '-', '@' or '=' (a segment's metric: accuracy@group=a)");
    }

    private static void CheckEntries<TValue>(IReadOnlyDictionary<string, TValue> entries, string field, List<ValidationError> errors, Func<TValue, string?> checkValue,
        Func<string, bool>? isName = null, string nameRule = "use 1-128 letters, digits, '_', '.', ':', '/' or '-'")
    {
        isName ??= ModelNames.IsKey;
        if (entries.Count > ModelLimits.MaxEntries)
            errors.Add(new(field, $"has {entries.Count} entries; at most {ModelLimits.MaxEntries}"));
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!isName(key))
                errors.Add(new($"{field}.{Clip(key)}", $"is not a valid name: {nameRule}, starting with a letter, digit or '_'"));
            else if (checkValue(value) is { } problem)
                errors.Add(new($"{field}.{key}", problem));
        }
    }

    private static void CheckTags(IReadOnlyDictionary<string, string> tags, List<ValidationError> errors)
    {
        if (tags.Count > ModelLimits.MaxTags) errors.Add(new("tags", $"has {tags.Count} tags; at most {ModelLimits.MaxTags}"));
        foreach (var (key, value) in tags.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!ModelNames.IsTagKey(key))
                errors.Add(new($"tags.{Clip(key)}", "a tag key is 1-63 letters, digits, '-', '_', '.' or '/', starting and ending with a letter or digit"));
            else if (value.Length > ModelLimits.MaxTagValueLength)
                errors.Add(new($"tags.{key}", $"is {value.Length} characters; a tag value is at most {ModelLimits.MaxTagValueLength}"));
        }
    }

    /// <summary>The text shortened for an error message.</summary>
    internal static string Clip(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
