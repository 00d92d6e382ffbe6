using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Models;

/// <summary>Builds the model version a register step registers, from its resolved outputs and their contents.</summary>
public static class PipelineRegistration
{
    /// <summary>The request id that makes a re-executed register step (a replay after a restart, a duplicate
    /// delivery) return the version it registered instead of a second one; a new attempt (a retried run) is a new
    /// registration.</summary>
    public static string RequestId(string runId, string stepKey, int attempt) => $"{runId}/{stepKey}/{attempt}";

    /// <summary>The version: the artifact's digest and size, metrics and profile read from their JSON, parameters,
    /// tags and the training data's digest, with the run as its source.</summary>
    /// <param name="registration">The resolved step.</param>
    /// <param name="source">The run, step and pipeline version that produced it.</param>
    /// <param name="metricsJson">The content of the metrics output, or null when the step names none.</param>
    /// <param name="profileJson">The content of the profile output, or null when the step names none.</param>
    /// <exception cref="FormatException">When an output's content is not what it should be; the message names the
    /// field and output and says what is wrong.</exception>
    public static ModelVersionSpec Build(ResolvedRegistration registration, ModelSource source, string? metricsJson, string? profileJson)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(source);
        var metrics = registration.Metrics is { } m && metricsJson is not null
            ? Read(() => ModelVersionJson.ReadMetrics(metricsJson), "metrics", m.Name)
            : new Dictionary<string, double>();
        var profile = registration.Profile is { } p && profileJson is not null
            ? Read(() => ModelVersionJson.ReadProfile(profileJson), "profile", p.Name)
            : new BaselineProfile();
        return new ModelVersionSpec
        {
            Artifact = new ModelArtifact { Digest = registration.Artifact.Digest, SizeBytes = registration.Artifact.Size },
            Source = source,
            Parameters = registration.Parameters,
            Metrics = metrics,
            TrainingDataDigest = registration.TrainingData?.Digest ?? "",
            Tags = registration.Tags,
            Profile = profile,
        };
    }

    private static T Read<T>(Func<T> read, string field, string output)
    {
        try
        {
            return read();
        }
        catch (FormatException e)
        {
            throw new FormatException($"register.{field}: output {output} {e.Message}", e);
        }
    }
}
