using Grpc.Core;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Drift;
using Orchestrator.Core.Monitoring;
using Orchestrator.Core.Pipelines;
using Orchestrator.Grains;

namespace Orchestrator.Gateway.Services;

/// <summary>A deployment's monitor configuration.</summary>
public sealed partial class MonitoringService
{
    /// <inheritdoc />
    public override async Task<MonitorConfig> SetMonitorConfig(SetMonitorConfigRequest request, ServerCallContext context)
    {
        var monitor = Monitor(request.Tenant, request.Model, request.Deployment);
        var spec = ToSpec(request.Config ?? throw OrchestratorException.Invalid("config", "is required: give at least one of window_records, window_duration, sample_size, thresholds"));
        return ToProto(await monitor.SetConfigAsync(spec));
    }

    /// <inheritdoc />
    public override async Task<MonitorConfig> GetMonitorConfig(GetMonitorConfigRequest request, ServerCallContext context) =>
        ToProto(await Monitor(request.Tenant, request.Model, request.Deployment).GetConfigAsync());

    /// <summary>The core configuration; zero or absent fields take the defaults, bad ones are refused naming the field.</summary>
    internal static MonitorSpec ToSpec(MonitorConfig config)
    {
        var defaults = new MonitorSpec();
        TimeSpan? duration = null;
        if (config.WindowDuration.Length > 0)
        {
            try
            {
                duration = Durations.Parse(config.WindowDuration);
            }
            catch (FormatException e)
            {
                throw OrchestratorException.Invalid("config.window_duration", $"{e.Message}; write a duration such as 15m or 1h");
            }
        }

        var t = config.Thresholds ?? new DriftThresholdsConfig();
        var thresholds = new DriftThresholds
        {
            Psi = t.HasPsi ? Bound(t.Psi, "psi", 0, double.MaxValue, "a finite bound of 0 or more, e.g. 0.2") : DriftThresholds.Default.Psi,
            KolmogorovSmirnovAlpha = t.HasKsPvalue ? Alpha(t.KsPvalue, "ks_pvalue") : DriftThresholds.Default.KolmogorovSmirnovAlpha,
            KolmogorovSmirnovBonferroni = !t.HasKsBonferroni || t.KsBonferroni,
            JensenShannon = t.HasJsDistance ? Bound(t.JsDistance, "js_distance", 0, 1, "a distance in [0, 1], e.g. 0.1") : DriftThresholds.Default.JensenShannon,
            Wasserstein = t.HasWasserstein ? Bound(t.Wasserstein, "wasserstein", 0, double.MaxValue, "a finite bound of 0 or more (reference standard deviations), e.g. 0.1") : DriftThresholds.Default.Wasserstein,
            ChiSquaredAlpha = t.HasChi2Pvalue ? Alpha(t.Chi2Pvalue, "chi2_pvalue") : DriftThresholds.Default.ChiSquaredAlpha,
            ChiSquaredBonferroni = t.HasChi2Bonferroni && t.Chi2Bonferroni,
            DatasetDriftShare = t.HasDatasetDriftShare ? Share(t.DatasetDriftShare) : DriftThresholds.Default.DatasetDriftShare,
        };
        var spec = defaults with
        {
            MaxRecords = config.WindowRecords == 0 ? defaults.MaxRecords : config.WindowRecords,
            Duration = duration,
            SampleSize = config.SampleSize == 0 ? defaults.SampleSize : config.SampleSize,
            Thresholds = thresholds,
        };
        Grains.Monitoring.MonitorGrain.Check(spec);
        return spec;

        static double Bound(double value, string field, double min, double max, string what) =>
            value >= min && value <= max && double.IsFinite(value) ? value : throw OrchestratorException.Invalid($"config.thresholds.{field}", $"is {value}; give {what}");

        static double Alpha(double value, string field) =>
            value is > 0 and < 1 ? value : throw OrchestratorException.Invalid($"config.thresholds.{field}", $"is {value}; give a significance level in (0, 1), e.g. 0.05");

        static double Share(double value) =>
            value is > 0 and <= 1 ? value : throw OrchestratorException.Invalid("config.thresholds.dataset_drift_share", $"is {value}; give a share in (0, 1], e.g. 0.5");
    }

    /// <summary>The proto configuration, every field filled in.</summary>
    internal static MonitorConfig ToProto(MonitorSpec spec)
    {
        var t = spec.Thresholds ?? DriftThresholds.Default;
        return new MonitorConfig
        {
            WindowRecords = spec.MaxRecords, WindowDuration = Durations.Format(spec.WindowDuration), SampleSize = spec.SampleSize,
            Thresholds = new DriftThresholdsConfig
            {
                Psi = t.Psi, KsPvalue = t.KolmogorovSmirnovAlpha, KsBonferroni = t.KolmogorovSmirnovBonferroni, JsDistance = t.JensenShannon,
                Wasserstein = t.Wasserstein, Chi2Pvalue = t.ChiSquaredAlpha, Chi2Bonferroni = t.ChiSquaredBonferroni, DatasetDriftShare = t.DatasetDriftShare,
            },
        };
    }
}
