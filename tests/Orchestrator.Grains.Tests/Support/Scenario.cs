using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Pipelines;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Tests.Support;

/// <summary>One test's corner of a cluster: its own tenant, node names and GPU model (so that tests sharing a cluster
/// neither see nor place each other's work), its agents and runs, and the clock moved with heartbeats. Disposing it
/// cancels its unfinished runs and disconnects its agents.</summary>
public sealed class Scenario(OrchestratorCluster cluster, string? id = null) : IAsyncDisposable
{
    private readonly List<SimulatedAgent> _agents = [];
    private readonly List<string> _runs = [];

    /// <summary>Short unique id of this scenario (given again to pick a scenario up on a restarted cluster).</summary>
    public string Id { get; } = id ?? Guid.NewGuid().ToString("N")[..8];

    /// <summary>The tenant every pipeline and run of this scenario belongs to.</summary>
    public string Tenant => $"tenant-{Id}";

    /// <summary>A GPU model only this scenario's nodes have.</summary>
    public string GpuModel => $"gpu-{Id}";

    /// <summary>The cluster.</summary>
    public OrchestratorCluster Cluster => cluster;

    /// <summary>The grain factory (the cluster client).</summary>
    public IGrainFactory Grains => cluster.Client;

    /// <summary>The scenario's agents.</summary>
    public IReadOnlyList<SimulatedAgent> Agents => _agents;

    /// <summary>The node name this scenario uses for <paramref name="name"/>.</summary>
    public string NodeName(string name) => $"{name}-{Id}";

    /// <summary>Connects an agent for node <paramref name="name"/> with GPUs of the scenario's model (or <paramref name="gpuModel"/>).</summary>
    public async Task<SimulatedAgent> ConnectAsync(string name, int gpus, string? gpuModel = null)
    {
        var agent = await SimulatedAgent.ConnectAsync(Grains, NodeName(name), gpus, gpuModel ?? GpuModel);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>The pipeline grain of <paramref name="name"/> in this tenant.</summary>
    public IPipelineGrain Pipeline(string name) => Grains.GetGrain<IPipelineGrain>(PipelineGrain.KeyOf(Tenant, name));

    /// <summary>Creates a version of <paramref name="spec"/> in this tenant.</summary>
    public async Task<PipelineVersionRecord> CreatePipelineAsync(PipelineSpec spec) =>
        (await Pipeline(spec.Name).CreateVersionAsync(spec, "test version", "tester")).Version;

    /// <summary>A run grain.</summary>
    public IRunGrain Run(string runId) => Grains.GetGrain<IRunGrain>(runId);

    /// <summary>Submits a run the way the gateway does: the id comes from the request id when there is one.</summary>
    public Task<RunSnapshot> SubmitAsync(string pipeline, IReadOnlyDictionary<string, string>? arguments = null, string requestId = "",
        bool cacheDisabled = false, string version = "latest", int priority = 0, AdmissionMode admission = AdmissionMode.Stepwise)
    {
        var runId = requestId.Length > 0 ? RunIds.FromRequest(Tenant, requestId) : RunIds.New();
        if (!_runs.Contains(runId)) _runs.Add(runId);
        return Run(runId).SubmitAsync(new SubmitRun
        {
            Tenant = Tenant, Pipeline = pipeline, Version = version, Arguments = arguments is null ? [] : new Dictionary<string, string>(arguments),
            RequestId = requestId, CacheDisabled = cacheDisabled, SubmittedBy = "tester", Priority = priority, Admission = admission,
        });
    }

    /// <summary>Polls the run until <paramref name="condition"/> holds.</summary>
    public Task<RunSnapshot> WaitForRunAsync(string runId, Func<RunSnapshot, bool> condition, string what) =>
        Eventually.MatchAsync(() => Run(runId).GetAsync(includeEvents: true), condition, $"run {runId}: {what}");

    /// <summary>Polls the run until it is in <paramref name="state"/>.</summary>
    public Task<RunSnapshot> WaitForStateAsync(string runId, RunState state) =>
        WaitForRunAsync(runId, r => r.State == state, $"state {state}");

    /// <summary>Polls the run until step <paramref name="stepKey"/> is in <paramref name="state"/>.</summary>
    public Task<RunSnapshot> WaitForStepAsync(string runId, string stepKey, StepState state) =>
        WaitForRunAsync(runId, r => r.Steps.Single(s => s.Key == stepKey).State == state, $"step {stepKey} {state}");

    /// <summary>Moves the fake clock forward by <paramref name="by"/>, one heartbeat interval at a time, with every
    /// connected agent of this scenario (except <paramref name="silent"/>) heartbeating before each step.</summary>
    public async Task AdvanceAsync(TimeSpan by, params SimulatedAgent[] silent)
    {
        var left = by;
        while (left > TimeSpan.Zero)
        {
            foreach (var agent in _agents.Where(a => a.Connected && !silent.Contains(a))) await agent.HeartbeatAsync();
            var step = left < OrchestratorCluster.HeartbeatInterval ? left : OrchestratorCluster.HeartbeatInterval;
            cluster.Clock.Advance(step);
            left -= step;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Leave nothing behind that could be placed on, or hold a GPU of, a later test's nodes.
        foreach (var runId in _runs)
        {
            try
            {
                var run = await Run(runId).GetAsync(includeEvents: false);
                if (run.State.IsTerminal()) continue;
                await Run(runId).CancelAsync("tester", "test cleanup");
                foreach (var step in run.Steps.Where(s => s.State == StepState.Running && s.Node is not null))
                {
                    var agent = _agents.FirstOrDefault(a => a.Node == step.Node);
                    if (agent is not null) await agent.FinishAsync(new StepRef(runId, step.Key, step.Attempt), AttemptOutcome.Cancelled, 143, "cancelled");
                }
            }
            catch (Exception)
            {
                // Best effort: a run that was never created (a rejected submit) has nothing to clean, and a cleanup
                // failure must not hide the test's own outcome.
            }
        }

        foreach (var agent in _agents)
        {
            try
            {
                await agent.DisconnectAsync();
            }
            catch (Exception)
            {
                // As above: best effort.
            }
        }
    }
}
