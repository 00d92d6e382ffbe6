using Google.Protobuf.WellKnownTypes;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Transitions;

/// <summary>The pipeline the transitions benchmark runs: one step fanned out over a list parameter, each item a tiny
/// step (cpu 1m, memory 1Mi, <c>true</c>) with one declared output.</summary>
internal static class FanOutPipeline
{
    /// <summary>Pipeline name.</summary>
    public const string Name = "load-fanout";

    /// <summary>The list parameter fanned out over.</summary>
    public const string ItemsParameter = "items";

    /// <summary>The spec.</summary>
    public static PipelineSpec Spec()
    {
        var step = new StepSpec
        {
            Name = "work",
            Foreach = "{{params." + ItemsParameter + "}}",
            Resources = new Resources { Cpu = "1m", Memory = "1Mi" },
        };
        step.Command.Add("true");
        step.Outputs.Add("result");
        var spec = new PipelineSpec { Name = Name, Description = "load-tests transitions benchmark: N no-op steps answered by a fake agent" };
        spec.Parameters.Add(new ParameterSpec { Name = ItemsParameter, Type = ParameterType.List, Default = Value.ForList(Value.ForNumber(0)) });
        spec.Steps.Add(step);
        return spec;
    }

    /// <summary>A submit of a run with <paramref name="size"/> items and the step cache off.</summary>
    public static SubmitRunRequest Submit(string tenant, int size)
    {
        var request = new SubmitRunRequest { Tenant = tenant, Pipeline = Name, DisableCache = true, SubmittedBy = "load-tests" };
        request.Parameters.Add(ItemsParameter, Value.ForList([.. Enumerable.Range(0, size).Select(i => Value.ForNumber(i))]));
        return request;
    }
}
