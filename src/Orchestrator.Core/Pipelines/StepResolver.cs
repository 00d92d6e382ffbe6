using System.Text;

using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Pipelines;

/// <summary>Resolves a planned step at dispatch time: evaluates its condition, binds its inputs and fills its templates.</summary>
public static class StepResolver
{
    /// <summary>Decides whether the step at <paramref name="stepIndex"/> of <paramref name="plan"/> runs, is skipped or fails, and resolves it when it runs.</summary>
    /// <remarks>Call it once every upstream step is terminal; the condition is evaluated before inputs are bound.</remarks>
    public static StepResolution Resolve(RunPlan plan, int stepIndex, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var planned = plan.Steps[stepIndex];
        var step = planned.Definition;

        if (step.When is { } when && EvaluateCondition(plan, planned, context, when) is { } verdict) return verdict;
        if (step.Register is { } register) return ResolveRegistration(plan, planned, context, register);

        var inputs = new List<ResolvedInput>(step.Inputs.Count);
        foreach (var (name, template) in step.Inputs.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (template.IsSingleReference && template.Parts[0].Reference is { Kind: ReferenceKind.StepOutput } upstream)
            {
                var bound = BindUpstream(plan, planned, context, name, upstream);
                if (bound.Outcome is not null) return bound.Outcome;
                inputs.Add(bound.Input!);
                continue;
            }

            var value = Render(template, reference => InputValue(plan, planned, context, reference), out var missing);
            if (value is null) return new StepResolution.Fail($"input {name}: {missing} has no value in this run");
            inputs.Add(new ResolvedInput(name, value, null, null));
        }

        var command = new List<string>(step.Command.Count);
        for (var k = 0; k < step.Command.Count; k++)
        {
            var text = Render(step.Command[k], reference => ExecutionValue(plan, planned, context, reference), out var missing);
            if (text is null) return new StepResolution.Fail($"command[{k}]: {missing} has no value in this run");
            command.Add(text);
        }

        var env = new Dictionary<string, string>(step.Env.Count, StringComparer.Ordinal);
        foreach (var (key, template) in step.Env)
        {
            var text = Render(template, reference => ExecutionValue(plan, planned, context, reference), out var missing);
            if (text is null) return new StepResolution.Fail($"env {key}: {missing} has no value in this run");
            env[key] = text;
        }

        var cacheKey = step.CacheEnabled && !step.IsExitHandler
            ? StepCacheKey.Compute(command, step.Image, env, inputs, step.Outputs)
            : null;
        return new StepResolution.Run(new ResolvedStep(
            planned.Key, command, step.Image, env, inputs, step.Outputs, step.Resources, step.Timeout, cacheKey));
    }

    private static StepResolution ResolveRegistration(RunPlan plan, PlannedStep planned, StepContext context, RegisterDefinition register)
    {
        var bound = new Dictionary<string, StepOutput>(StringComparer.Ordinal);
        foreach (var (field, reference) in register.UpstreamOutputs())
        {
            var (outcome, input) = BindUpstream(plan, planned, context, $"register.{field}", reference);
            if (outcome is not null) return outcome;
            bound[field] = input!.Artifact!;
        }

        var parameters = new Dictionary<string, string>(register.Parameters.Count, StringComparer.Ordinal);
        foreach (var (name, template) in register.Parameters)
        {
            var text = Render(template, reference => InputValue(plan, planned, context, reference), out var missing);
            if (text is null) return new StepResolution.Fail($"register.parameters.{name}: {missing} has no value in this run");
            parameters[name] = text;
        }

        var tags = new Dictionary<string, string>(register.Tags.Count, StringComparer.Ordinal);
        foreach (var (key, template) in register.Tags)
        {
            var text = Render(template, reference => InputValue(plan, planned, context, reference), out var missing);
            if (text is null) return new StepResolution.Fail($"register.tags.{key}: {missing} has no value in this run");
            tags[key] = text;
        }

        var registration = new ResolvedRegistration(
            register.Model, bound["artifact"], bound.GetValueOrDefault("metrics"), bound.GetValueOrDefault("profile"),
            bound.GetValueOrDefault("training_data"), parameters, tags, register.Alias);
        var step = planned.Definition;
        return new StepResolution.Run(new ResolvedStep(planned.Key, [], "", new Dictionary<string, string>(), [], step.Outputs, step.Resources, null, null)
        {
            Registration = registration,
        });
    }

    private static StepResolution? EvaluateCondition(RunPlan plan, PlannedStep planned, StepContext context, WhenExpression when)
    {
        var values = new Dictionary<Reference, string>();
        foreach (var reference in when.References)
        {
            switch (reference.Kind)
            {
                case ReferenceKind.Parameter when plan.Parameters.TryGetValue(reference.Name, out var value):
                    values[reference] = value;
                    break;
                case ReferenceKind.Item when planned.Item is not null:
                    values[reference] = planned.Item;
                    break;
                case ReferenceKind.StepOutput:
                    var producers = Producers(plan, planned, reference.Step!);
                    if (producers.Count != 1)
                    {
                        return new StepResolution.Fail($"condition reads {reference}, but step {reference.Step} has {producers.Count} instances in this run, not one");
                    }

                    var view = context.StepAt(producers[0]);
                    if (!view.State.HasOutputs())
                    {
                        return view.State.IsTerminal()
                            ? new StepResolution.Skip($"condition reads steps.{reference.Step}.outputs.{reference.Name} but {reference.Step} was {Describe(view.State)}")
                            : NotFinished(reference.Step!, view.State);
                    }

                    var output = Find(view, reference.Name);
                    if (output is null) return MissingOutput(reference.Step!, reference.Name);
                    if (output.Value is null)
                    {
                        return new StepResolution.Fail(
                            $"condition reads steps.{reference.Step}.outputs.{reference.Name}, but that output ({output.Size:N0} bytes) is not small UTF-8 text and cannot be compared: have {reference.Step} write a short text value such as 0.93");
                    }

                    values[reference] = output.Value;
                    break;
                default:
                    return new StepResolution.Fail($"condition reads {reference}, which has no value for this step");
            }
        }

        bool result;
        try
        {
            result = when.Evaluate(reference => values.GetValueOrDefault(reference));
        }
        catch (FormatException e)
        {
            return new StepResolution.Fail($"condition {when.Source} cannot be evaluated: {e.Message}");
        }

        return result ? null : new StepResolution.Skip($"condition {when.Source} is false", Runs.SkipCause.Condition);
    }

    private static (StepResolution? Outcome, ResolvedInput? Input) BindUpstream(
        RunPlan plan, PlannedStep planned, StepContext context, string name, Reference upstream)
    {
        var producers = Producers(plan, planned, upstream.Step!);
        var outputs = new List<StepOutput>(producers.Count);
        foreach (var index in producers)
        {
            var view = context.StepAt(index);
            var key = plan.Steps[index].Key;
            if (!view.State.HasOutputs())
            {
                return (view.State.IsTerminal()
                    ? new StepResolution.Skip($"input {name} comes from step {key}, which was {Describe(view.State)}")
                    : NotFinished(key, view.State), null);
            }

            var output = Find(view, upstream.Name);
            if (output is null) return (MissingOutput(key, upstream.Name), null);
            outputs.Add(output);
        }

        // An empty fan-out plans no instances; its consumers still get an (empty) collection.
        var fansOut = producers.Count > 0
            ? plan.Steps[producers[0]].Definition.ForeachParameter is not null
            : plan.Definition.Steps.Any(s => s.Name == upstream.Step && s.ForeachParameter is not null);
        if (fansOut) return (null, new ResolvedInput(name, null, null, outputs));
        return producers.Count == 1
            ? (null, new ResolvedInput(name, null, outputs[0], null))
            : (new StepResolution.Fail($"input {name} reads step {upstream.Step}, which is not planned upstream of {planned.Key}"), null);
    }

    /// <summary>The planned instances of a producer in index order: upstream of the step, as the planner linked them.</summary>
    private static List<int> Producers(RunPlan plan, PlannedStep planned, string producer)
    {
        var found = planned.Upstream.Where(u => plan.Steps[u].Name == producer).ToList();
        found.Sort((a, b) => plan.Steps[a].Index.CompareTo(plan.Steps[b].Index));
        return found;
    }

    private static string? InputValue(RunPlan plan, PlannedStep planned, StepContext context, Reference reference) => reference.Kind switch
    {
        ReferenceKind.Parameter => plan.Parameters.GetValueOrDefault(reference.Name),
        ReferenceKind.Item => planned.Item,
        ReferenceKind.RunId => context.RunId,
        _ => null,
    };

    // Input and output paths are known only to the agent; they stay as references, written the one canonical way.
    private static string? ExecutionValue(RunPlan plan, PlannedStep planned, StepContext context, Reference reference) => reference.Kind switch
    {
        ReferenceKind.Input or ReferenceKind.Output => reference.ToString(),
        ReferenceKind.RunStatus => context.RunStatus,
        _ => InputValue(plan, planned, context, reference),
    };

    private static string? Render(Template template, Func<Reference, string?> valueOf, out Reference? missing)
    {
        missing = null;
        if (template.Parts.Count == 1 && template.Parts[0].Reference is null) return template.Parts[0].Text;
        var text = new StringBuilder();
        foreach (var part in template.Parts)
        {
            if (part.Reference is null)
            {
                text.Append(part.Text);
                continue;
            }

            var value = valueOf(part.Reference);
            if (value is null)
            {
                missing = part.Reference;
                return null;
            }

            text.Append(value);
        }

        return text.ToString();
    }

    private static StepOutput? Find(StepView view, string name) =>
        view.Outputs?.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));

    private static StepResolution.Fail MissingOutput(string producer, string output) =>
        new($"step {producer} finished without its declared output {output}");

    private static StepResolution.Fail NotFinished(string producer, StepState state) =>
        new($"step {producer} has not finished (it is {Describe(state)}): a step is resolved only once every upstream step is done");

    private static string Describe(StepState state) => state.ToString().ToLowerInvariant();
}
