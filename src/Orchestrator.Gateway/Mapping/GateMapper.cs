using Orchestrator.Core.Models.Gates;
using Orchestrator.Grains.Models;
using Proto = Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Validation gates, gate lists and gate evaluations between the wire and Core/grain types.</summary>
public static class GateMapper
{
    /// <summary>A gate from the wire; a gate without a kind maps to <see cref="GateKind.Unspecified"/>, which validation refuses.</summary>
    public static ValidationGate ToCore(Proto.ValidationGate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var result = new ValidationGate { Name = gate.Name };
        return gate.KindCase switch
        {
            Proto.ValidationGate.KindOneofCase.MetricThreshold => result with { Kind = GateKind.MetricThreshold, Expression = gate.MetricThreshold.Expression },
            Proto.ValidationGate.KindOneofCase.BeatChampion => result with
            {
                Kind = GateKind.BeatChampion, Metric = gate.BeatChampion.Metric, Margin = gate.BeatChampion.Margin,
                HigherIsBetter = gate.BeatChampion.HasHigherIsBetter ? gate.BeatChampion.HigherIsBetter : null,
            },
            Proto.ValidationGate.KindOneofCase.SegmentGap => result with
            {
                Kind = GateKind.SegmentGap, Metric = gate.SegmentGap.Metric, Segments = [.. gate.SegmentGap.Segments], MaxGap = gate.SegmentGap.MaxGap,
            },
            Proto.ValidationGate.KindOneofCase.MaxArtifactSize => result with { Kind = GateKind.MaxArtifactSize, MaxBytes = gate.MaxArtifactSize.MaxBytes },
            _ => result,
        };
    }

    /// <summary>A gate to the wire.</summary>
    public static Proto.ValidationGate ToProto(ValidationGate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var result = new Proto.ValidationGate { Name = gate.Name };
        switch (gate.Kind)
        {
            case GateKind.MetricThreshold:
                result.MetricThreshold = new Proto.MetricThresholdGate { Expression = gate.Expression };
                break;
            case GateKind.BeatChampion:
                result.BeatChampion = new Proto.BeatChampionGate { Metric = gate.Metric, Margin = gate.Margin };
                if (gate.HigherIsBetter is { } higher) result.BeatChampion.HigherIsBetter = higher;
                break;
            case GateKind.SegmentGap:
                result.SegmentGap = new Proto.SegmentGapGate { Metric = gate.Metric, MaxGap = gate.MaxGap };
                result.SegmentGap.Segments.Add(gate.Segments);
                break;
            case GateKind.MaxArtifactSize:
                result.MaxArtifactSize = new Proto.MaxArtifactSizeGate { MaxBytes = gate.MaxBytes };
                break;
        }

        return result;
    }

    /// <summary>A model's gate list to the wire.</summary>
    public static Proto.ModelGates ToProto(ModelGatesRecord gates)
    {
        ArgumentNullException.ThrowIfNull(gates);
        var result = new Proto.ModelGates
        {
            Tenant = gates.Tenant, Name = gates.Name, Revision = gates.Revision, UpdatedBy = gates.UpdatedBy,
            UpdatedAt = gates.Revision == 0 ? null : RunMapper.Time(gates.UpdatedAt),
        };
        result.Gates.Add(gates.Gates.Select(ToProto));
        return result;
    }

    /// <summary>An evaluation to the wire.</summary>
    public static Proto.GateEvaluation ToProto(GateEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var result = new Proto.GateEvaluation
        {
            Version = evaluation.Version, Passed = evaluation.Passed, EvaluatedAt = RunMapper.Time(evaluation.EvaluatedAt),
            GatesRevision = evaluation.GatesRevision, ChampionVersion = evaluation.ChampionVersion,
        };
        foreach (var r in evaluation.Results)
        {
            var item = new Proto.GateResult { Gate = r.Gate, Passed = r.Passed, Comparison = r.Comparison, Message = r.Message };
            if (r.Value is { } value) item.Value = value;
            if (r.Bound is { } bound) item.Bound = bound;
            result.Results.Add(item);
        }

        return result;
    }
}
