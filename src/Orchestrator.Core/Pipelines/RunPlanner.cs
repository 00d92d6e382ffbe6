namespace Orchestrator.Core.Pipelines;

/// <summary>Expands a validated pipeline into the steps of one run: parameters bound, fan-outs expanded, dependencies as indices.</summary>
public static class RunPlanner
{
    /// <summary>Most dependency edges one plan may hold (a fan-out depending on a fan-out multiplies their sizes).</summary>
    public const long MaxDependencyEdges = 4_000_000;

    /// <summary>
    /// Plans a run of <paramref name="definition"/> with <paramref name="arguments"/> (parameter name to raw text).
    /// Throws <see cref="ValidationException"/> with every unknown, missing or mistyped argument, and
    /// <see cref="LimitExceededException"/> when the plan would have more than <paramref name="maxSteps"/> steps.
    /// </summary>
    public static RunPlan Plan(PipelineDefinition definition, IReadOnlyDictionary<string, string>? arguments, int maxSteps = PipelineLimits.MaxSteps)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var parameters = BindParameters(definition, arguments ?? new Dictionary<string, string>());
        var items = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var step in definition.Steps)
        {
            if (step.ForeachParameter is { } list && !items.ContainsKey(list)) items[list] = ParameterValues.ListItems(parameters[list]);
        }

        CheckSize(definition, items, maxSteps);

        var planned = new List<PlannedStep>();
        var downstream = new List<List<int>>();
        var instances = new Dictionary<string, (int First, int Count)>(StringComparer.Ordinal);
        foreach (var step in definition.Steps)
        {
            // Dependencies come earlier in the order; sorting the ranges by position keeps each Upstream ascending.
            var ranges = step.DependsOn.Select(d => instances[d]).OrderBy(r => r.First).ToList();
            var first = planned.Count;
            var stepItems = step.ForeachParameter is { } list ? items[list] : null;
            var count = stepItems?.Count ?? 1;
            for (var i = 0; i < count; i++)
            {
                var index = planned.Count;
                var waitsFor = new List<int>();
                foreach (var (rangeFirst, rangeCount) in ranges)
                {
                    for (var u = rangeFirst; u < rangeFirst + rangeCount; u++)
                    {
                        waitsFor.Add(u);
                        downstream[u].Add(index);
                    }
                }

                var key = stepItems is null ? step.Name : $"{step.Name}[{i}]";
                planned.Add(new PlannedStep(key, step, stepItems is null ? -1 : i, stepItems?[i], waitsFor, NewList(downstream)));
            }

            instances[step.Name] = (first, count);
        }

        if (definition.ExitHandler is { } exitHandler)
        {
            var index = planned.Count;
            var all = Enumerable.Range(0, index).ToList();
            foreach (var u in all) downstream[u].Add(index);
            planned.Add(new PlannedStep(exitHandler.Name, exitHandler, -1, null, all, NewList(downstream)));
        }

        return new RunPlan(definition, parameters, planned);
    }

    private static List<int> NewList(List<List<int>> lists)
    {
        var list = new List<int>();
        lists.Add(list);
        return list;
    }

    private static Dictionary<string, string> BindParameters(PipelineDefinition definition, IReadOnlyDictionary<string, string> arguments)
    {
        var errors = new List<ValidationError>();
        var declared = definition.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = arguments.Keys.Where(n => !declared.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            var declaredNames = declared.Count == 0
                ? "declares no parameters"
                : "declares " + PipelineScope.ListNames(definition.Parameters.Select(p => p.Name));
            foreach (var name in unknown)
            {
                errors.Add(new ValidationError($"parameters.{name}", $"unknown parameter \"{TemplateParser.ForMessage(name)}\": pipeline {definition.Name} {declaredNames}"));
            }
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in definition.Parameters)
        {
            var field = $"parameters.{parameter.Name}";
            if (arguments.TryGetValue(parameter.Name, out var raw) && raw is not null)
            {
                try
                {
                    values[parameter.Name] = ParameterValues.Canonicalize(parameter.Type, raw);
                }
                catch (FormatException e)
                {
                    errors.Add(new ValidationError(field, $"{e.Message} ({parameter.Name} is a {ParameterValues.TypeName(parameter.Type)} parameter)"));
                }
            }
            else if (parameter.Default is not null)
            {
                values[parameter.Name] = parameter.Default;
            }
            else
            {
                errors.Add(new ValidationError(field, $"required, no default: pass a {ParameterValues.TypeName(parameter.Type)} value for {parameter.Name}"));
            }
        }

        return errors.Count > 0 ? throw new ValidationException(errors) : values;
    }

    private static void CheckSize(PipelineDefinition definition, Dictionary<string, IReadOnlyList<string>> items, int maxSteps)
    {
        long total = definition.ExitHandler is null ? 0 : 1;
        long edges = 0;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var step in definition.Steps)
        {
            long count = step.ForeachParameter is { } list ? items[list].Count : 1;
            counts[step.Name] = count;
            total += count;
            edges += count * step.DependsOn.Sum(d => counts[d]);
        }

        // The exit handler waits for every other step.
        if (definition.ExitHandler is not null) edges += total - 1;
        var largest = items.Count == 0 ? null : items.MaxBy(e => e.Value.Count).Key;
        var field = largest is null ? "steps" : $"parameters.{largest}";
        var hint = largest is null ? "" : $" (the largest fan-out is over {largest}, {items[largest].Count:N0} items): pass fewer items or split the run";
        if (total > maxSteps)
        {
            throw new LimitExceededException(field, $"this run would have {total:N0} steps, more than the limit of {maxSteps:N0}{hint}");
        }

        if (edges > MaxDependencyEdges)
        {
            throw new LimitExceededException(field, $"this run would have {edges:N0} dependencies between steps, more than the limit of {MaxDependencyEdges:N0}{hint}");
        }
    }
}
