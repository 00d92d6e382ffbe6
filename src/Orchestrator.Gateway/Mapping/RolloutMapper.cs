using Google.Protobuf.WellKnownTypes;
using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Rollouts;
using Orchestrator.Grains;
using Proto = Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Rollout plans, progress and traffic splits between the contract and Core.</summary>
public static class RolloutMapper
{
    /// <summary>A plan from the contract, validated with field paths under <paramref name="path"/> (the request's field).</summary>
    public static RolloutPlan ToCore(Proto.RolloutPlan plan, string path)
    {
        var guards = new List<RolloutGuard>(plan.Guards.Count);
        for (var i = 0; i < plan.Guards.Count; i++)
        {
            var g = plan.Guards[i];
            bool? higher = g.Direction switch
            {
                "" => null,
                "higher" => true,
                "lower" => false,
                _ => throw OrchestratorException.Invalid($"{path}.guards[{i}].direction", $"'{g.Direction}' is not a direction: use higher, lower, or leave it empty to take it from the metric's name"),
            };
            guards.Add(new RolloutGuard(g.Metric, g.MaxRegression, higher, g.MinLabeled == 0 ? RolloutGuard.DefaultMinLabeled : g.MinLabeled));
        }

        var core = new RolloutPlan
        {
            Steps = [.. plan.Steps.Select(s => new RolloutStep(s.Percent, s.Bake?.ToTimeSpan() ?? TimeSpan.Zero, s.MinPredictions))],
            Guards = guards,
        };
        try
        {
            return RolloutPlanValidator.Validate(core, path);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }
    }

    /// <summary>A plan for the contract.</summary>
    public static Proto.RolloutPlan ToProto(RolloutPlan plan)
    {
        var proto = new Proto.RolloutPlan();
        proto.Steps.AddRange(plan.Steps.Select(s => new Proto.RolloutStep { Percent = s.Percent, Bake = Duration.FromTimeSpan(s.Bake), MinPredictions = s.MinPredictions }));
        proto.Guards.AddRange(plan.Guards.Select(g => new Proto.RolloutGuard
        {
            Metric = g.Metric, MaxRegression = g.MaxRegression, Direction = g.IsHigherBetter ? "higher" : "lower", MinLabeled = g.MinLabeled,
        }));
        return proto;
    }

    /// <summary>A rollout for the contract.</summary>
    public static Proto.Rollout ToProto(string key, RolloutProgress progress)
    {
        var (tenant, model, deployment) = ModelDeployments.Parse(key);
        var proto = new Proto.Rollout
        {
            Tenant = tenant, Model = model, Deployment = deployment, Phase = Phase(progress.Phase), ChampionVersion = progress.Champion,
            ChallengerVersion = progress.Challenger, Step = progress.Step, ChallengerPercent = progress.CurrentStep?.Percent ?? 0, Reason = progress.Reason,
        };
        if (progress.Phase == RolloutPhase.Idle) return proto;
        proto.Plan = ToProto(progress.Plan!);
        proto.StartedAt = RunMapper.Time(progress.StartedAt);
        proto.StepSince = RunMapper.Time(progress.StepSince);
        proto.EndedAt = RunMapper.Time(progress.EndedAt);
        proto.ChampionAtStep = Stats(progress.Champion, progress.ChampionAtStep);
        proto.ChallengerAtStep = Stats(progress.Challenger, progress.ChallengerAtStep);
        return proto;
    }

    /// <summary>A traffic split for the contract.</summary>
    public static Proto.TrafficSplit ToProto(TrafficSplit split) => new()
    {
        ChampionVersion = split.ChampionVersion, ChallengerVersion = split.ChallengerVersion, ChallengerPercent = split.ChallengerPercent,
        ChampionPercent = split.ChampionPercent, Phase = Phase(split.Phase),
    };

    /// <summary>The contract's word for a phase.</summary>
    public static string Phase(RolloutPhase phase) => phase switch
    {
        RolloutPhase.Progressing => "progressing",
        RolloutPhase.Completed => "completed",
        RolloutPhase.RolledBack => "rolled_back",
        _ => "idle",
    };

    private static Proto.RolloutVersionStats Stats(int version, VersionTotals totals)
    {
        var stats = new Proto.RolloutVersionStats { Version = version, Predictions = totals.Predictions, Labeled = totals.Labeled };
        foreach (var metric in totals.MetricLabeled.Keys.Order(StringComparer.Ordinal))
        {
            if (totals.Metric(metric) is { } value) stats.Metrics[metric] = value.Value;
        }

        return stats;
    }
}
