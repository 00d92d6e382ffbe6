using Orchestrator.Core.Models;
using Orchestrator.Grains.Models;
using Proto = Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Model versions, comparisons and audit entries between the wire and Core/grain types.</summary>
public static class ModelMapper
{
    /// <summary>A registered spec from the wire (unset messages read as empty).</summary>
    public static ModelVersionSpec ToCore(Proto.ModelVersionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var artifact = spec.Artifact ?? new Proto.ModelArtifact();
        var source = spec.Source ?? new Proto.ModelSource();
        var profile = spec.Profile ?? new Proto.BaselineProfile();
        return new ModelVersionSpec
        {
            Artifact = new ModelArtifact { Digest = artifact.Digest, SizeBytes = artifact.SizeBytes, Uri = artifact.Uri },
            Source = new ModelSource { RunId = source.RunId, StepKey = source.StepKey, Pipeline = source.Pipeline, PipelineVersion = source.PipelineVersion },
            Parameters = spec.Parameters.ToDictionary(),
            Metrics = spec.Metrics.ToDictionary(),
            TrainingDataDigest = spec.TrainingDataDigest,
            Tags = spec.Tags.ToDictionary(),
            Profile = new BaselineProfile
            {
                Numeric = profile.Numeric.ToDictionary(f => f.Key, f => new NumericFeatureProfile
                {
                    BinEdges = [.. f.Value.BinEdges], Proportions = [.. f.Value.Proportions], Sample = [.. f.Value.Sample],
                }),
                Categorical = profile.Categorical.ToDictionary(f => f.Key, f => new CategoricalFeatureProfile
                {
                    Frequencies = f.Value.Frequencies.ToDictionary(), Count = f.Value.Count,
                }),
            },
            Description = spec.Description,
        };
    }

    /// <summary>A spec to the wire; the profile only when <paramref name="withProfile"/>.</summary>
    public static Proto.ModelVersionSpec ToProto(ModelVersionSpec spec, bool withProfile)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = new Proto.ModelVersionSpec
        {
            Artifact = new Proto.ModelArtifact { Digest = spec.Artifact.Digest, SizeBytes = spec.Artifact.SizeBytes, Uri = spec.Artifact.Uri },
            Source = new Proto.ModelSource
            {
                RunId = spec.Source.RunId, StepKey = spec.Source.StepKey, Pipeline = spec.Source.Pipeline, PipelineVersion = spec.Source.PipelineVersion,
            },
            TrainingDataDigest = spec.TrainingDataDigest,
            Description = spec.Description,
        };
        result.Parameters.Add(spec.Parameters.ToDictionary());
        result.Metrics.Add(spec.Metrics.ToDictionary());
        result.Tags.Add(spec.Tags.ToDictionary());
        if (!withProfile || spec.Profile.IsEmpty) return result;

        result.Profile = new Proto.BaselineProfile();
        foreach (var (name, f) in spec.Profile.Numeric)
        {
            var numeric = new Proto.NumericFeatureProfile();
            numeric.BinEdges.Add(f.BinEdges);
            numeric.Proportions.Add(f.Proportions);
            numeric.Sample.Add(f.Sample);
            result.Profile.Numeric[name] = numeric;
        }

        foreach (var (name, f) in spec.Profile.Categorical)
        {
            var categorical = new Proto.CategoricalFeatureProfile { Count = f.Count };
            categorical.Frequencies.Add(f.Frequencies.ToDictionary());
            result.Profile.Categorical[name] = categorical;
        }

        return result;
    }

    /// <summary>A version to the wire.</summary>
    public static Proto.ModelVersion ToProto(ModelVersionView view, bool withProfile)
    {
        ArgumentNullException.ThrowIfNull(view);
        var result = new Proto.ModelVersion
        {
            Tenant = view.Tenant, Name = view.Name, Version = view.Record.Version, Spec = ToProto(view.Record.Spec, withProfile),
            CreatedAt = RunMapper.Time(view.Record.CreatedAt), CreatedBy = view.Record.CreatedBy, RequestId = view.Record.RequestId,
        };
        result.Aliases.Add(view.Aliases);
        if (view.Record.GateEvaluation is { } evaluation) result.GateEvaluation = GateMapper.ToProto(evaluation);
        return result;
    }

    /// <summary>A model with its versions in brief.</summary>
    public static Proto.Model ToProto(ModelRecord model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new Proto.Model
        {
            Tenant = model.Tenant, Name = model.Name, LatestVersion = model.Versions.Count == 0 ? 0 : model.Versions[0].Record.Version,
            VersionCount = model.Versions.Count, CreatedAt = RunMapper.Time(model.Versions.Count == 0 ? null : model.Versions[^1].Record.CreatedAt),
            UpdatedAt = RunMapper.Time(model.UpdatedAt),
        };
        result.Aliases.Add(model.Aliases.ToDictionary());
        foreach (var v in model.Versions)
        {
            var summary = new Proto.ModelVersionSummary
            {
                Version = v.Record.Version, CreatedAt = RunMapper.Time(v.Record.CreatedAt), CreatedBy = v.Record.CreatedBy,
                ArtifactDigest = v.Record.Spec.Artifact.Digest, RunId = v.Record.Spec.Source.RunId, Description = v.Record.Spec.Description,
            };
            summary.Aliases.Add(v.Aliases);
            result.Versions.Add(summary);
        }

        return result;
    }

    /// <summary>A model in the list.</summary>
    public static Proto.ModelSummary ToProto(ModelSummaryRecord summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        // Versions are never deleted, so the latest number is also how many there are.
        var result = new Proto.ModelSummary
        {
            Tenant = summary.Tenant, Name = summary.Name, LatestVersion = summary.LatestVersion, VersionCount = summary.LatestVersion,
            UpdatedAt = RunMapper.Time(summary.UpdatedAt),
        };
        result.Aliases.Add(summary.Aliases.ToDictionary());
        return result;
    }

    /// <summary>A comparison to the wire.</summary>
    public static Proto.CompareModelVersionsResponse ToProto(ModelComparisonResult comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var c = comparison.Comparison;
        var result = new Proto.CompareModelVersionsResponse
        {
            A = ToProto(comparison.A, withProfile: false), B = ToProto(comparison.B, withProfile: false),
            ArtifactDiffers = c.ArtifactDiffers, TrainingDataDiffers = c.TrainingDataDiffers,
        };
        foreach (var m in c.Metrics)
        {
            var metric = new Proto.MetricComparison { Name = m.Name };
            if (m.A is { } a) metric.A = a;
            if (m.B is { } b) metric.B = b;
            if (m.Delta is { } delta) metric.Delta = delta;
            result.Metrics.Add(metric);
        }

        foreach (var p in c.Parameters)
        {
            var parameter = new Proto.ParameterComparison { Name = p.Name, Differs = p.Differs };
            if (p.A is { } a) parameter.A = a;
            if (p.B is { } b) parameter.B = b;
            result.Parameters.Add(parameter);
        }

        return result;
    }

    /// <summary>An audit entry to the wire.</summary>
    public static Proto.ModelAuditEntry ToProto(ModelAuditRecord entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new Proto.ModelAuditEntry
        {
            Sequence = entry.Sequence, At = RunMapper.Time(entry.At), Actor = entry.Actor, Action = (Proto.ModelAuditAction)(int)entry.Action,
            Version = entry.Version, Alias = entry.Alias, PreviousVersion = entry.PreviousVersion, Reason = entry.Reason, Summary = entry.Summary,
        };
    }
}
