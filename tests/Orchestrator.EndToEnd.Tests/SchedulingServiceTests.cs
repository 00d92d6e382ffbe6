using System.Text;
using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Verifies SchedulingService over real gRPC against the real server (one node, two simulated GPUs): Get and
/// Update (a refused configuration names every bad field and changes nothing), ListPools, SubmitRun.priority_class,
/// and ExplainPending's reasons for a step too big for any node, one behind a busy GPU and one whose tenant is at quota.
/// The server is its own (not the shared embedded one): these tests change the cluster-wide configuration.</summary>
public sealed class SchedulingServiceTests(SchedulingServerFixture fixture) : IClassFixture<SchedulingServerFixture>
{
    private ServerProcess Server => fixture.Server;

    private SchedulingService.SchedulingServiceClient Scheduling => new(Server.Channel);

    [Fact]
    public async Task Update_WithSeveralBadFields_IsInvalidArgumentNamingEach_AndAppliesNothing()
    {
        await Scheduling.UpdateSchedulingConfigAsync(new UpdateSchedulingConfigRequest { Config = SchedulingServerFixture.Standard() });
        var before = await Scheduling.GetSchedulingConfigAsync(new GetSchedulingConfigRequest());
        var bad = SchedulingServerFixture.Standard();
        bad.Tenants.Add(new TenantConfig { Name = "broken", Quotas = { ["default"] = new ResourceQuota { Gpus = -2 } } });
        bad.PriorityClasses.Add(new PriorityClass { Name = "way-too-high", Value = 5000 });
        bad.Tuning.BackfillMode = (BackfillMode)9;

        var error = await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => Scheduling.UpdateSchedulingConfigAsync(new UpdateSchedulingConfigRequest { Config = bad }).ResponseAsync,
            "tenants[2].quotas.default.gpus", "priority_classes[1].value", "tuning.backfill_mode");

        var fields = error.Trailers.Where(t => t.Key == "x-orch-field-error-bin").Select(t => Encoding.UTF8.GetString(t.ValueBytes)).ToList();
        Assert.Equal(3, fields.Count);
        Assert.StartsWith("tenants[2].quotas.default.gpus: ", fields[0]);
        Assert.StartsWith("priority_classes[1].value: ", fields[1]);
        var after = await Scheduling.GetSchedulingConfigAsync(new GetSchedulingConfigRequest());
        Assert.Equal(before, after);
        Assert.Equal(SchedulingServerFixture.Standard(), after.Config);
    }

    [Fact]
    public async Task Update_OfAValidConfiguration_IsInForceAtOnce_WithTheNextVersion()
    {
        var before = await Scheduling.GetSchedulingConfigAsync(new GetSchedulingConfigRequest());
        var config = SchedulingServerFixture.Standard();

        var updated = await Scheduling.UpdateSchedulingConfigAsync(new UpdateSchedulingConfigRequest { Config = config });

        Assert.Equal(before.Version + 1, updated.Version);
        Assert.Equal(config, updated.Config);
        Assert.Equal(updated, await Scheduling.GetSchedulingConfigAsync(new GetSchedulingConfigRequest()));
    }

    [Fact]
    public async Task ListPools_ShowsTheDefaultPoolWithItsNodeAndGpus()
    {
        var pools = await Scheduling.ListPoolsAsync(new ListPoolsRequest());

        var pool = Assert.Single(pools.Pools, p => p.Name == "default");
        Assert.Equal(["e2e-node"], pool.Nodes);
        Assert.Equal(1, pool.SchedulableNodes);
        Assert.Equal(2, pool.GpusTotal);
    }

    [Fact]
    public async Task SubmitRun_WithAKnownPriorityClass_GetsItsValue_AndAnUnknownOneIsRefusedListingTheClasses()
    {
        await Scheduling.UpdateSchedulingConfigAsync(new UpdateSchedulingConfigRequest { Config = SchedulingServerFixture.Standard() });
        await Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = "name: classed\nsteps:\n  - {name: one, command: ['true']}\n",
        });

        var run = await Server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "classed", PriorityClass = "high" });
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => Server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "classed", PriorityClass = "urgent" }).ResponseAsync,
            "priority_class", "urgent", "high");

        Assert.Equal(100, run.Priority);
    }

    [Fact]
    public async Task ExplainPending_SaysNeverFits_Capacity_AndQuota_InWordsNamingNodesAndNumbers()
    {
        await Scheduling.UpdateSchedulingConfigAsync(new UpdateSchedulingConfigRequest { Config = SchedulingServerFixture.Standard() });
        foreach (var (tenant, name, gpus, command) in new[]
                 {
                     ("capped", "hold", 1, "['sleep', '300']"), ("capped", "more", 1, "['true']"),
                     ("default", "pair", 2, "['true']"), ("default", "huge", 4, "['true']"),
                 })
        {
            await Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
            {
                Tenant = tenant, SpecYaml = $"name: {name}\nsteps:\n  - {{name: work, command: {command}, resources: {{gpus: {gpus}}}}}\n",
            });
        }

        var runs = new List<string>();
        try
        {
            // One GPU of two held by tenant capped, which is then at its quota of 1 and may not borrow.
            var hold = await Submit("capped", "hold", runs);
            await fixture.WaitForStepAsync(hold, "work", StepState.Running);
            var more = await Submit("capped", "more", runs);
            var pair = await Submit("default", "pair", runs);
            var huge = await Submit("default", "huge", runs);

            var quota = await ReasonAsync(more, PendingReasonKind.Quota);
            var capacity = await ReasonAsync(pair, PendingReasonKind.Capacity);
            var never = await ReasonAsync(huge, PendingReasonKind.NeverFits);

            Assert.Contains("tenant capped uses 1 of 1 GPUs in pool default", quota.Message);
            Assert.Contains("no node has 2 free GPUs: largest free block is 1 on e2e-node", capacity.Message);
            Assert.Contains("no node in pool default has 4 GPUs: the largest has 2", never.Message);

            var running = await Scheduling.ExplainPendingAsync(new ExplainPendingRequest { RunId = hold, Step = "work" });
            var step = Assert.Single(running.Steps);
            Assert.Equal("Running", step.State);
            Assert.Empty(step.Pools);
        }
        finally
        {
            foreach (var run in runs) await Server.Runs.CancelRunAsync(new CancelRunRequest { RunId = run });
        }
    }

    private async Task<string> Submit(string tenant, string pipeline, List<string> runs)
    {
        var run = await Server.Runs.SubmitRunAsync(new SubmitRunRequest { Tenant = tenant, Pipeline = pipeline, DisableCache = true });
        runs.Add(run.Id);
        return run.Id;
    }

    /// <summary>Waits until the run's step is queued and explained with a reason of <paramref name="kind"/>.</summary>
    private Task<PendingReason> ReasonAsync(string runId, PendingReasonKind kind) => Eventually.Until(async () =>
    {
        var response = await Scheduling.ExplainPendingAsync(new ExplainPendingRequest { RunId = runId });
        return response.Steps.SelectMany(s => s.Pools).SelectMany(p => p.Reasons).FirstOrDefault(r => r.Kind == kind);
    }, TimeSpan.FromSeconds(30), $"run {runId} explained with a {kind} reason");
}

/// <summary>A server of its own for <see cref="SchedulingServiceTests"/>: one node, two simulated GPUs.</summary>
public sealed class SchedulingServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    internal ServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>The configuration the tests run under: tenant capped may use 1 GPU of pool default and not borrow; class high = 100.</summary>
    public static SchedulingConfig Standard() => new()
    {
        Tenants =
        {
            new TenantConfig { Name = "capped", Weight = 1, NoBorrowing = true, Quotas = { ["default"] = new ResourceQuota { Gpus = 1 } } },
            new TenantConfig { Name = "team", Weight = 2 },
        },
        PriorityClasses = { new PriorityClass { Name = "high", Value = 100 } },
        // The defaults written out: the server answers with the tuning in force.
        Tuning = new SchedulingTuning
        {
            AgingInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(10)), MaxAgingBoost = 10,
            PreemptionGrace = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
            Policy = "default", BackfillMode = BackfillMode.Reserve,
        },
    };

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync("--simulate-gpus", "2", "--gpu-model", "Simulated H200");
        await _server.WaitForNodeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>Waits until a step reaches a state.</summary>
    internal Task<Run> WaitForStepAsync(string runId, string step, StepState state) =>
        Eventually.Until(async () =>
        {
            var run = await Server.Runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true });
            return run.Steps.Single(s => s.Key == step).State == state ? run : null;
        }, TimeSpan.FromSeconds(60), $"step {step} of {runId} to be {state}");
}
