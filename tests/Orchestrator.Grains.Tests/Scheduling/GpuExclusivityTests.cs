using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies the scheduler's core promise as a property over random workloads: with more GPU demand than two
/// nodes hold, and steps held running and finished in random order, no GPU ever goes to two steps at once (as the
/// agents see it and as the nodes record it), every step gets exactly the GPUs it asked for, and every run completes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GpuExclusivityTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(47)]
    public async Task GpuStepsBeyondCapacity_NeverShareAGpu_AndAllComplete(int seed)
    {
        var random = new Random(seed);
        await using var s = fixture.NewScenario();
        var agents = new[] { await s.ConnectAsync("a", gpus: 2), await s.ConnectAsync("b", gpus: 3) };
        var capacity = agents.Sum(a => a.Gpus.Count);
        var requested = new Dictionary<StepRef, int>();
        var runIds = new List<string>();
        for (var r = 0; r < 2; r++)
        {
            var steps = Enumerable.Range(0, random.Next(3, 6))
                .Select(i => Specs.Step($"s{i}", s.Id).WithGpus(random.Next(1, 4), s.GpuModel))
                .ToArray();
            await s.CreatePipelineAsync(Specs.Pipeline($"load-{r}", steps) with { Cache = false });
            var runId = (await s.SubmitAsync($"load-{r}")).Definition.Id;
            runIds.Add(runId);
            foreach (var step in steps) requested[new StepRef(runId, step.Name, 1)] = step.Resources.Gpus;
        }

        Assert.True(requested.Values.Sum() > capacity, "the workload must ask for more GPUs than the nodes have");
        var held = new Dictionary<StepRef, (SimulatedAgent Agent, int[] Gpus)>();
        var seen = new HashSet<StepRef>();
        var mostHeld = 0;
        while (seen.Count < requested.Count || held.Count > 0)
        {
            var arrived = await NextAssignmentsAsync(agents, seen, wait: held.Count == 0);
            foreach (var (agent, assignment) in arrived)
            {
                var step = assignment.Step;
                Assert.True(requested.TryGetValue(step, out var gpus), $"unexpected assignment {step}");
                Assert.Equal(gpus, assignment.Gpus.Length);
                Assert.All(assignment.Gpus, g => Assert.InRange(g, 0, agent.Gpus.Count - 1));
                var overlapping = held.Where(h => h.Value.Agent == agent && h.Value.Gpus.Intersect(assignment.Gpus).Any()).Select(h => h.Key).ToList();
                Assert.True(overlapping.Count == 0,
                    $"{step} got GPUs [{string.Join(",", assignment.Gpus)}] of {agent.Node} still held by {string.Join(", ", overlapping)}");
                await agent.StartAsync(assignment);
                held[step] = (agent, assignment.Gpus);
            }

            mostHeld = Math.Max(mostHeld, held.Values.Sum(h => h.Gpus.Length));
            await AssertNodesAgreeAsync(agents, held);
            if (held.Count == 0) continue;

            var done = held.Keys.ElementAt(random.Next(held.Count));
            await held[done].Agent.FinishAsync(done, AttemptOutcome.Succeeded);
            held.Remove(done);
        }

        Assert.InRange(mostHeld, 1, capacity);
        foreach (var runId in runIds) await s.WaitForStateAsync(runId, RunState.Succeeded);
        foreach (var agent in agents) Assert.Empty((await agent.Grain.GetAsync()).Allocations);
    }

    /// <summary>Assignments not seen before; with <paramref name="wait"/>, waits until at least one arrives.</summary>
    private static async Task<List<(SimulatedAgent Agent, StepAssignment Assignment)>> NextAssignmentsAsync(
        SimulatedAgent[] agents, HashSet<StepRef> seen, bool wait)
    {
        List<(SimulatedAgent, StepAssignment)> Fresh() =>
            [.. agents.SelectMany(a => a.Assignments.Where(x => !seen.Contains(x.Step)).Select(x => (a, x))).DistinctBy(x => x.x.Step)];

        var fresh = Fresh();
        if (fresh.Count == 0 && wait)
        {
            await Eventually.TrueAsync(() => (fresh = Fresh()).Count > 0, "the next step to be placed while no GPU is held");
        }

        foreach (var (_, assignment) in fresh) seen.Add(assignment.Step);
        return fresh;
    }

    /// <summary>Each node's own record: no GPU in two allocations, and every step an agent runs holds exactly its GPUs there.</summary>
    private static async Task AssertNodesAgreeAsync(SimulatedAgent[] agents, Dictionary<StepRef, (SimulatedAgent Agent, int[] Gpus)> held)
    {
        foreach (var agent in agents)
        {
            NodeView view = await agent.Grain.GetAsync();
            var taken = view.Allocations.SelectMany(a => a.Gpus).ToList();
            Assert.True(taken.Count == taken.Distinct().Count(), $"node {agent.Node} allocated a GPU twice: {string.Join("; ", view.Allocations.Select(a => $"{a.Step} [{string.Join(",", a.Gpus)}]"))}");
            Assert.All(taken, g => Assert.InRange(g, 0, agent.Gpus.Count - 1));
            foreach (var (step, (_, gpus)) in held.Where(h => h.Value.Agent == agent))
            {
                var allocation = view.Allocations.SingleOrDefault(a => a.Step == step);
                Assert.True(allocation is not null, $"{step} runs on {agent.Node} without an allocation there");
                Assert.Equal(gpus, allocation.Gpus);
            }
        }
    }
}
