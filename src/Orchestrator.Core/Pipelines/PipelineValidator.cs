using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Core.Pipelines;

/// <summary>Turns a <see cref="PipelineSpec"/> as a user wrote it into a <see cref="PipelineDefinition"/>, or reports every reason it cannot.</summary>
public static class PipelineValidator
{
    /// <summary>Validates <paramref name="spec"/>; throws <see cref="ValidationException"/> carrying every error found, each with its field path.</summary>
    public static PipelineDefinition Validate(PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var nulls = SpecNullChecks.Find(spec);
        if (nulls.Count > 0) throw new ValidationException(nulls);

        var scope = new PipelineScope(spec);
        CheckPipelineFields(spec, scope);
        if (spec.Steps.Count > PipelineLimits.MaxSteps || spec.Parameters.Count > PipelineLimits.MaxParameters)
        {
            // Far past the limits, checking each element would only bury the one error that matters.
            throw new ValidationException(scope.Errors);
        }

        var parameters = CheckParameters(spec, scope);
        CheckStepNames(spec, scope);

        var steps = new List<CheckedStep>(spec.Steps.Count);
        for (var i = 0; i < spec.Steps.Count; i++) steps.Add(StepValidator.Check(scope, spec.Steps[i], $"steps[{i}]", isExitHandler: false));
        var exitHandler = spec.ExitHandler is null ? null : StepValidator.Check(scope, spec.ExitHandler, "exit_handler", isExitHandler: true);

        var ordered = OrderSteps(steps, scope);
        if (scope.Errors.Count > 0) throw new ValidationException(scope.Errors);

        return new PipelineDefinition(
            spec,
            Digest(spec),
            parameters,
            ordered,
            exitHandler?.Definition,
            spec.Cache ?? true);
    }

    /// <summary>The canonical JSON of <paramref name="spec"/> that <see cref="PipelineDefinition.Digest"/> hashes.</summary>
    public static string Canonicalize(PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Encoding.UTF8.GetString(PipelineCanonicalJson.Write(spec));
    }

    /// <summary>Lowercase hex sha256 of the canonical JSON of <paramref name="spec"/>.</summary>
    public static string Digest(PipelineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Convert.ToHexStringLower(SHA256.HashData(PipelineCanonicalJson.Write(spec)));
    }

    private static void CheckPipelineFields(PipelineSpec spec, PipelineScope scope)
    {
        if (scope.CheckText("name", spec.Name) && !PipelineNames.IsPipelineName(spec.Name))
        {
            scope.Add("name", spec.Name.Length == 0
                ? "a pipeline needs a name: 1-63 lowercase letters, digits or '-', e.g. train-resnet"
                : $"\"{TemplateParser.ForMessage(spec.Name)}\" is not a valid pipeline name: use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. train-resnet)");
        }

        scope.CheckText("description", spec.Description);
        if (spec.Steps.Count == 0 && spec.ExitHandler is null)
        {
            scope.Add("steps", "a pipeline needs at least one step: add one under steps");
        }
        else if (spec.Steps.Count == 0)
        {
            scope.Add("steps", "a pipeline needs at least one step besides the exit handler: add one under steps");
        }
        else if (spec.Steps.Count > PipelineLimits.MaxSteps)
        {
            scope.Add("steps", $"{spec.Steps.Count:N0} steps declared, more than the limit of {PipelineLimits.MaxSteps:N0}: fan out over a list parameter (foreach) instead of declaring similar steps");
        }

        if (spec.Parameters.Count > PipelineLimits.MaxParameters)
        {
            scope.Add("parameters", $"{spec.Parameters.Count:N0} parameters declared, more than the limit of {PipelineLimits.MaxParameters:N0}: pass structured settings as a list or an input file");
        }
    }

    /// <summary>Checks the parameters, records the valid ones in <paramref name="scope"/>, and returns all of them in declaration order.</summary>
    private static List<ParameterDefinition> CheckParameters(PipelineSpec spec, PipelineScope scope)
    {
        var parameters = new List<ParameterDefinition>(spec.Parameters.Count);
        var declared = new Dictionary<string, ParameterDefinition>(StringComparer.Ordinal);
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Parameters.Count; i++)
        {
            var parameter = spec.Parameters[i];
            var path = $"parameters[{i}]";
            var valid = scope.CheckText($"{path}.name", parameter.Name);
            if (valid && !PipelineNames.IsParameterName(parameter.Name))
            {
                scope.Add($"{path}.name", $"\"{TemplateParser.ForMessage(parameter.Name)}\" is not a valid parameter name: use 1-63 letters, digits or '_', starting with a letter or '_' (e.g. learning_rate)");
                valid = false;
            }
            else if (valid && !firstIndex.TryAdd(parameter.Name, i))
            {
                scope.Add($"{path}.name", $"parameter \"{parameter.Name}\" is already declared at parameters[{firstIndex[parameter.Name]}]: parameter names must be unique");
                valid = false;
            }

            if (!Enum.IsDefined(parameter.Type))
            {
                scope.Add($"{path}.type", $"unknown type {(int)parameter.Type}: use string, int, float, bool or list");
                valid = false;
            }

            scope.CheckText($"{path}.description", parameter.Description);
            string? canonicalDefault = null;
            if (parameter.Default is not null && scope.CheckText($"{path}.default", parameter.Default) && Enum.IsDefined(parameter.Type))
            {
                try
                {
                    canonicalDefault = ParameterValues.Canonicalize(parameter.Type, parameter.Default);
                }
                catch (FormatException e)
                {
                    scope.Add($"{path}.default", $"default of {ParameterValues.TypeName(parameter.Type)} parameter \"{parameter.Name}\": {e.Message}");
                }
            }

            var definition = new ParameterDefinition(parameter.Name, parameter.Type, canonicalDefault);
            parameters.Add(definition);
            if (valid) declared[parameter.Name] = definition;
        }

        scope.Parameters = declared;
        return parameters;
    }

    private static void CheckStepNames(PipelineSpec spec, PipelineScope scope)
    {
        var firstPath = new Dictionary<string, string>(StringComparer.Ordinal);
        var named = spec.Steps.Select((s, i) => (Step: s, Path: $"steps[{i}]")).ToList();
        if (spec.ExitHandler is not null) named.Add((spec.ExitHandler, "exit_handler"));
        foreach (var (step, path) in named)
        {
            var field = $"{path}.name";
            if (!scope.CheckText(field, step.Name)) continue;
            if (!PipelineNames.IsStepName(step.Name))
            {
                scope.Add(field, step.Name.Length == 0
                    ? "a step needs a name: 1-63 lowercase letters, digits, '-' or '_', e.g. train"
                    : $"\"{TemplateParser.ForMessage(step.Name)}\" is not a valid step name: use 1-63 lowercase letters, digits, '-' or '_', starting and ending with a letter or digit (e.g. train_model)");
            }
            else if (!firstPath.TryAdd(step.Name, path))
            {
                scope.Add(field, $"step name \"{step.Name}\" is already used by {firstPath[step.Name]}: step names must be unique, the exit handler's included");
            }
        }
    }

    private static List<StepDefinition> OrderSteps(List<CheckedStep> steps, PipelineScope scope)
    {
        var dependencies = new List<IReadOnlyCollection<int>>(steps.Count);
        var reasons = new List<Dictionary<int, string>>(steps.Count);
        foreach (var step in steps)
        {
            var reason = new Dictionary<int, string>();
            foreach (var (producer, field) in step.Dependencies)
            {
                if (scope.StepIndex.TryGetValue(producer, out var index)) reason.TryAdd(index, field);
            }

            reasons.Add(reason);
            dependencies.Add(reason.Keys);
        }

        var (order, cycles) = DependencyGraph.Sort(dependencies);
        foreach (var cycle in cycles)
        {
            // Report it where the first step of the cycle reads the last one: removing that edge breaks it.
            var first = cycle[0];
            var path = string.Join(" -> ", cycle.Append(first).Select(i => steps[i].Definition.Name));
            scope.Add(reasons[first][cycle[^1]], $"dependency cycle {path} (each step waits for the one before it): remove one of these dependencies");
        }

        return order.Select(i => steps[i].Definition with
        {
            DependsOn = dependencies[i].Select(d => steps[d].Definition.Name).Order(StringComparer.Ordinal).ToList(),
        }).ToList();
    }
}
