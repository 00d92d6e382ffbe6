using System.Diagnostics;
using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.LoadTests.Hosting;

namespace Orchestrator.LoadTests.Transitions;

/// <summary>Wall time from submit to RunFinished of fan-out runs of growing size, answered by a fake agent, and the
/// cost of one step transition at each size: it must not grow with the size of the run.</summary>
internal sealed class TransitionsBenchmark(ServerUnderTest server, TransitionsSettings settings, TextWriter output)
{
    private static readonly TimeSpan NodeReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs every size; 0 when every run succeeded in time, 1 otherwise.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var channel = LoadChannels.Open(server.Address);
        var runs = new RunService.RunServiceClient(channel);
        var nodes = new NodeService.NodeServiceClient(channel);
        await using var agent = await FakeAgent.ConnectAsync(channel, cancellationToken);
        await WaitForNodeAsync(nodes, cancellationToken);
        var version = await new PipelineService.PipelineServiceClient(channel).CreatePipelineVersionAsync(
            new CreatePipelineVersionRequest { Tenant = settings.Tenant, Spec = FanOutPipeline.Spec() }, cancellationToken: cancellationToken);
        output.WriteLine($"Fake agent: node {FakeAgent.NodeName} with {FakeAgent.CpuMillis:N0} mCPU and {FakeAgent.MemoryBytes >> 30:N0} GiB, answering each assignment at once with started + finished.");
        output.WriteLine($"Pipeline {settings.Tenant}/{version.Version.Name} v{version.Version.Version}: step 'work' fanned out over a list of N items (cpu 1m, memory 1Mi, command [true]), cache off per run.");
        output.WriteLine($"Sizes {string.Join(", ", settings.Sizes)}; per size at most {settings.MaxRunsPerSize} run(s) or {settings.TimePerSize.TotalSeconds:0} s, in sequence; " +
            $"{settings.WarmUpRuns} warm-up run(s) of N={TransitionsSettings.WarmUpSize(settings.Sizes)} first; each run times out after {settings.RunTimeout.TotalSeconds:0} s.");
        output.WriteLine();

        var failures = new List<string>();
        var probe = new RunProbe(runs, nodes, agent, settings.Tenant);
        for (var i = 0; i < settings.WarmUpRuns && failures.Count == 0; i++)
            await MeasureAsync(probe, TransitionsSettings.WarmUpSize(settings.Sizes), failures, warmUp: true, cancellationToken);

        var samples = new List<RunSample>();
        foreach (var size in settings.Sizes)
        {
            if (failures.Count > 0) break;
            var started = Stopwatch.GetTimestamp();
            for (var n = 0; n < settings.MaxRunsPerSize && failures.Count == 0; n++)
            {
                if (n > 0 && Stopwatch.GetElapsedTime(started) >= settings.TimePerSize) break;
                if (await MeasureAsync(probe, size, failures, warmUp: false, cancellationToken) is { } sample) samples.Add(sample);
            }
        }

        if (failures.Count == 0) await WaitForAcksAsync(agent, failures, cancellationToken);
        if (agent.Cancels > 0) failures.Add($"the agent was told to cancel {agent.Cancels} step(s); none should be");
        if (failures.Count > 0) WriteServerWarnings();
        new TransitionsReport(server, settings, samples, agent, failures).WriteTo(output);
        return failures.Count == 0 && samples.Count > 0 ? 0 : 1;
    }

    private async Task<RunSample?> MeasureAsync(RunProbe probe, int size, List<string> failures, bool warmUp, CancellationToken cancellationToken)
    {
        var sample = await probe.RunOnceAsync(size, settings.RunTimeout, cancellationToken);
        server.ThrowIfExited();
        var t = sample.Timeline;
        output.WriteLine($"{(warmUp ? "warm-up" : "run"),-7} N={size,-6} {sample.RunId}  wall {sample.WallSeconds,8:F3} s  " +
            $"{sample.MicrosPerTransition,8:F1} us/transition  transitions {t.Transitions}/{sample.ExpectedTransitions}  {sample.State}" +
            (sample.SubmitAttempts > 1 ? $"  (submit answered on attempt {sample.SubmitAttempts}, after {sample.SubmitSeconds:F1} s)" : "") +
            (sample.WatchRestarts > 0 ? $"  (watch re-opened {sample.WatchRestarts}x)" : ""));
        if (sample.Failure is { } failure) failures.Add($"run {sample.RunId} (N={size}) did not finish: {failure}");
        else if (sample.State != "Succeeded") failures.Add($"run {sample.RunId} (N={size}) ended {sample.State}");
        else if (t.Transitions != sample.ExpectedTransitions)
            failures.Add($"run {sample.RunId} (N={size}) had {t.Transitions} step transitions, not {sample.ExpectedTransitions}: " + string.Join(", ", t.Counts.Select(c => $"{c.Key} {c.Value}")));
        return warmUp ? null : sample;
    }

    private void WriteServerWarnings()
    {
        var warnings = server.RecentOutput.Split('\n').Where(l => l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal)).TakeLast(10).ToList();
        if (warnings.Count == 0) return;
        output.WriteLine();
        output.WriteLine("The server's last warnings:");
        // Orleans' warnings carry whole activation dumps: the start says what happened.
        foreach (var line in warnings) output.WriteLine("  " + (line.Length > 400 ? line[..400].TrimEnd() + " ..." : line.TrimEnd()));
    }

    private static async Task WaitForNodeAsync(NodeService.NodeServiceClient nodes, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(NodeReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var list = await nodes.ListNodesAsync(new ListNodesRequest(), cancellationToken: cancellationToken);
            if (list.Nodes.Any(n => n.Name == FakeAgent.NodeName && n.State == NodeState.Ready && !n.Cordoned)) return;
            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"node {FakeAgent.NodeName} was not ready and uncordoned within {NodeReadyTimeout.TotalSeconds:0} s of registering");
    }

    private static async Task WaitForAcksAsync(FakeAgent agent, List<string> failures, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(AckTimeout.TotalSeconds * Stopwatch.Frequency);
        while (agent.Acks < agent.Reports && Stopwatch.GetTimestamp() < deadline) await Task.Delay(20, cancellationToken);
        if (agent.Acks != agent.Reports) failures.Add($"the server acknowledged {agent.Acks} of the agent's {agent.Reports} reports");
    }
}
