using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Storm;

/// <summary>The storm's models and pipelines: per tenant a <c>retrain</c> pipeline; per model a version with a baseline
/// profile of a few numeric features, the champion alias on it, a retraining policy retraining on one drifted window,
/// and a live monitor (started with a little traffic that matches the baseline, so no window closes yet).</summary>
internal sealed class StormFleet(GrpcChannel[] channels, StormSettings settings)
{
    /// <summary>The retraining pipeline's name in every storm tenant.</summary>
    public const string RetrainPipeline = "retrain";

    /// <summary>The retraining pipeline's one step; the simulated agents hold steps of this name for the retraining time.</summary>
    public const string RetrainStep = "retrain";

    /// <summary>The ordinary pipeline's name (in the ordinary tenant).</summary>
    public const string OrdinaryPipeline = "storm-ordinary";

    /// <summary>Records a monitor closes a window after (the server's default <c>MonitorSpec.MaxRecords</c>; not settable per model).</summary>
    public const int WindowRecords = 10_000;

    private const int Features = 4;
    private const int PreWarmRecordsPerBin = 10;

    // Deciles of a standard normal: each bin holds a tenth of the reference.
    private static readonly double[] Edges = [-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816];

    /// <summary>Creates the pipelines, models, policies and budget, and starts every model's monitor.</summary>
    public async Task CreateAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var pipelines = new PipelineService.PipelineServiceClient(channels[0]);
        foreach (var tenant in Enumerable.Range(0, settings.Tenants).Select(settings.TenantOf))
            await pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { Tenant = tenant, Spec = OneStep(RetrainPipeline, RetrainStep, "storm: a simulated retraining") },
                deadline: Deadline(), cancellationToken: cancellationToken);
        await pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { Tenant = settings.Tenant, Spec = OneStep(OrdinaryPipeline, "work", "storm: an ordinary run") },
            deadline: Deadline(), cancellationToken: cancellationToken);

        var budget = await new RetrainingService.RetrainingServiceClient(channels[0]).SetRetrainingBudgetAsync(new SetRetrainingBudgetRequest
        {
            Limits = new RetrainingBudgetLimits
            {
                MaxConcurrent = settings.MaxConcurrent, MaxConcurrentPerTenant = settings.PerTenant, PerMinute = settings.PerMinute, Burst = settings.Burst,
            },
        }, deadline: Deadline(), cancellationToken: cancellationToken);
        output.WriteLine($"Budget: {budget.Limits.MaxConcurrent} at once, {budget.Limits.MaxConcurrentPerTenant} per tenant, {budget.Limits.PerMinute}/min, burst {budget.Limits.Burst}.");

        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, settings.Models), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                await EnrolAsync(i, ct);
                if (Interlocked.Increment(ref done) % 250 == 0) output.WriteLine($"  {done} models registered, champion set, policy set, monitor started");
            });
    }

    /// <summary>Sends model <paramref name="index"/> one batch of drifted histograms that closes its window; returns the
    /// windows the server said closed.</summary>
    public async Task<int> DriftAsync(int index, CancellationToken cancellationToken)
    {
        var batch = Batch(index);
        foreach (var feature in FeatureNames())
        {
            // Everything above the top decile: a shift no drift statistic can miss.
            var histogram = new FeatureHistogram { Feature = feature };
            histogram.Counts.AddRange(Enumerable.Range(0, Edges.Length + 1).Select(b => b == Edges.Length ? (long)WindowRecords : 0L));
            batch.Histograms.Add(histogram);
        }

        return (await SendAsync(batch, cancellationToken)).WindowsClosed;
    }

    private async Task EnrolAsync(int index, CancellationToken cancellationToken)
    {
        var channel = channels[index % channels.Length];
        var tenant = settings.TenantOf(index);
        var name = StormSettings.ModelName(index);
        var models = new ModelService.ModelServiceClient(channel);
        var spec = new ModelVersionSpec
        {
            Artifact = new ModelArtifact { Digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))), SizeBytes = 1 },
            Profile = new BaselineProfile(),
            Description = "storm benchmark model",
        };
        foreach (var feature in FeatureNames())
        {
            var profile = new NumericFeatureProfile();
            profile.BinEdges.AddRange(Edges);
            profile.Proportions.AddRange(Enumerable.Repeat(1.0 / (Edges.Length + 1), Edges.Length + 1));
            spec.Profile.Numeric[feature] = profile;
        }

        await models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = name, Version = spec, RequestId = $"storm-{name}", Reason = "storm benchmark" },
            deadline: Deadline(), cancellationToken: cancellationToken);
        await models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = name, Alias = "champion", Version = "1", Reason = "storm benchmark" },
            deadline: Deadline(), cancellationToken: cancellationToken);
        await new RetrainingService.RetrainingServiceClient(channel).SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest
        {
            Tenant = tenant, Name = name, Policy = new RetrainingPolicy { Pipeline = RetrainPipeline, DriftWindows = 1 }, Reason = "storm benchmark",
        }, deadline: Deadline(), cancellationToken: cancellationToken);

        // Traffic like the baseline starts the monitor (a live model has one) without closing a window.
        var batch = Batch(index);
        foreach (var feature in FeatureNames())
        {
            var histogram = new FeatureHistogram { Feature = feature };
            histogram.Counts.AddRange(Enumerable.Repeat((long)PreWarmRecordsPerBin, Edges.Length + 1));
            batch.Histograms.Add(histogram);
        }

        var answer = await SendAsync(batch, cancellationToken);
        if (answer.WindowsClosed != 0) throw new InvalidOperationException($"model {tenant}/{name}: the warm-up traffic closed {answer.WindowsClosed} windows; expected none");
    }

    private PredictionBatch Batch(int index) => new() { Tenant = settings.TenantOf(index), Model = StormSettings.ModelName(index), Version = "champion" };

    private async Task<StreamPredictionsResponse> SendAsync(PredictionBatch batch, CancellationToken cancellationToken)
    {
        var monitoring = new MonitoringService.MonitoringServiceClient(channels[Math.Abs(batch.Model.GetHashCode(StringComparison.Ordinal)) % channels.Length]);
        using var call = monitoring.StreamPredictions(deadline: Deadline(), cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(batch, cancellationToken);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    private static IEnumerable<string> FeatureNames() => Enumerable.Range(0, Features).Select(f => $"f{f}");

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(60);

    private static PipelineSpec OneStep(string name, string step, string description)
    {
        var work = new StepSpec { Name = step, Resources = new Resources { Cpu = "1m", Memory = "1Mi" } };
        work.Command.Add("true");
        var spec = new PipelineSpec { Name = name, Description = description };
        spec.Steps.Add(work);
        return spec;
    }
}
