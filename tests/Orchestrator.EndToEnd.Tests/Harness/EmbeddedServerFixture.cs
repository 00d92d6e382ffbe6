using Google.Protobuf.WellKnownTypes;
using Orchestrator.Contracts.V1;

namespace Orchestrator.EndToEnd.Tests.Harness;

/// <summary>One embedded server (silo + gateway + in-process agent with two simulated GPUs) shared by a collection.</summary>
public sealed class EmbeddedServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    internal ServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync("--simulate-gpus", "2", "--gpu-model", "Simulated H200");
        await _server.WaitForNodeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>Creates (or finds) a pipeline from YAML through the server's own YAML path.</summary>
    internal async Task<PipelineVersion> ApplyAsync(string yaml)
    {
        var response = await Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { SpecYaml = yaml });
        return response.Version;
    }

    /// <summary>Submits and waits for the run to finish, following WatchRun.</summary>
    internal async Task<Run> SubmitAndWaitAsync(string pipeline, IDictionary<string, string>? parameters = null, TimeSpan? timeout = null)
    {
        var run = await SubmitAsync(pipeline, parameters);
        return await WaitAsync(run.Id, timeout);
    }

    internal async Task<Run> SubmitAsync(string pipeline, IDictionary<string, string>? parameters = null, string requestId = "")
    {
        var request = new SubmitRunRequest { Pipeline = pipeline, RequestId = requestId };
        foreach (var (k, v) in parameters ?? new Dictionary<string, string>()) request.Parameters[k] = Value.ForString(v);
        return await Server.Runs.SubmitRunAsync(request);
    }

    /// <summary>Waits for the run's next RunFinished after <paramref name="fromRevision"/> by following its events; returns the final run.</summary>
    internal async Task<Run> WaitAsync(string runId, TimeSpan? timeout = null, long fromRevision = 0)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        using var watch = Server.Runs.WatchRun(new WatchRunRequest { RunId = runId, FromRevision = fromRevision }, cancellationToken: cancel.Token);
        while (await watch.ResponseStream.MoveNext(cancel.Token))
        {
            if (watch.ResponseStream.Current.Type == "RunFinished") break;
        }

        return await Server.Runs.GetRunAsync(new GetRunRequest { RunId = runId });
    }

    /// <summary>Waits until a step reaches a state.</summary>
    internal Task<Run> WaitForStepAsync(string runId, string step, StepState state, TimeSpan? timeout = null) =>
        Eventually.Until(async () =>
        {
            var run = await Server.Runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true });
            return run.Steps.Single(s => s.Key == step).State == state ? run : null;
        }, timeout ?? TimeSpan.FromSeconds(60), $"step {step} of {runId} to be {state}");
}

[CollectionDefinition(Name)]
public sealed class EmbeddedServerCollection : ICollectionFixture<EmbeddedServerFixture>
{
    public const string Name = "embedded server";
}
