using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Orchestrator.Core.Pipelines;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Properties over random DAGs: whatever the validator accepts plans into a topological order with consistent edges.</summary>
public sealed class PlanningProperties
{
    /// <summary>A random DAG: step i may depend on any earlier step j, declared in a shuffled order, some steps fanned out.</summary>
    public sealed record RandomDag(int[][] Dependencies, int[] DeclarationOrder, bool[] FansOut, int Items);

    private static Gen<RandomDag> Dags() =>
        from size in Gen.Choose(1, 25)
        from dependencies in Gen.ArrayOf(Gen.Choose(0, (1 << 20) - 1), size)
        from order in Gen.Shuffle(Enumerable.Range(0, size).ToArray())
        from fansOut in Gen.ArrayOf(Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true))), size)
        from items in Gen.Choose(0, 3)
        select new RandomDag(
            Enumerable.Range(0, size).Select(i => EarlierSteps(i, dependencies[i])).ToArray(),
            order,
            fansOut,
            items);

    // Each bit of the seed picks one of up to 20 earlier steps as a dependency.
    private static int[] EarlierSteps(int step, int seed) =>
        Enumerable.Range(Math.Max(0, step - 20), Math.Min(step, 20)).Where(j => (seed >> (step - 1 - j)) % 2 == 1).ToArray();

    private static PipelineSpec ToSpec(RandomDag dag)
    {
        static string Name(int i) => $"s{i}";
        var steps = dag.DeclarationOrder.Select(i =>
        {
            var dependencies = dag.Dependencies[i];
            // Half of the edges go through inputs, half through after, so both kinds of dependency are exercised.
            var inputs = dependencies.Where(j => j % 2 == 0).ToDictionary(j => $"in{j}", j => $"{{{{steps.{Name(j)}.outputs.out}}}}");
            return Step(Name(i), "run", dag.FansOut[i] ? "{{item}}" : "once") with
            {
                Outputs = ["out"],
                Inputs = inputs,
                After = dependencies.Where(j => j % 2 == 1).Select(Name).ToArray(),
                Foreach = dag.FansOut[i] ? "{{params.items}}" : "",
            };
        }).ToArray();
        return Pipeline(steps) with
        {
            Parameters = [Parameter("items", ParameterType.List, "[" + string.Join(",", Enumerable.Range(0, dag.Items)) + "]")],
            ExitHandler = Step("end", "true"),
        };
    }

    [Property(MaxTest = 200, Replay = "(6364136223846793005,1442695040888963407)")]
    public Property AcceptedDag_PlansIntoATopologicalOrder() => Prop.ForAll(Dags().ToArbitrary(), dag =>
    {
        var definition = PipelineValidator.Validate(ToSpec(dag));
        var plan = RunPlanner.Plan(definition, null);

        var position = definition.Steps.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i);
        var stepsOrdered = definition.Steps.All(s => s.DependsOn.All(d => position[d] < position[s.Name]));
        var expectedCount = dag.FansOut.Sum(f => f ? dag.Items : 1) + 1;
        var edgesPointBackwards = plan.Steps.Select((s, i) => s.Upstream.All(u => u < i) && s.Downstream.All(d => d > i)).All(ok => ok);
        var edgesMirror = plan.Steps.Select((s, i) => s.Upstream.All(u => plan.Steps[u].Downstream.Contains(i))).All(ok => ok);
        var instancesTogether = plan.Steps.Select((s, i) => (s, i)).GroupBy(p => p.s.Name).All(g =>
            g.Select(p => p.i).SequenceEqual(Enumerable.Range(g.First().i, g.Count()))
            && g.Select(p => p.s.Index).SequenceEqual(g.First().s.Definition.ForeachParameter is null ? [-1] : Enumerable.Range(0, g.Count())));
        var upstreamMatchesDependencies = plan.Steps.Take(plan.Steps.Count - 1).All(s =>
            s.Upstream.Select(u => plan.Steps[u].Name).Distinct().Order(StringComparer.Ordinal)
                .SequenceEqual(s.Definition.DependsOn.Where(d => plan.Steps.Any(p => p.Name == d))));

        return stepsOrdered && plan.Steps.Count == expectedCount && plan.ExitHandlerIndex == plan.Steps.Count - 1
            && edgesPointBackwards && edgesMirror && instancesTogether && upstreamMatchesDependencies;
    });
}
