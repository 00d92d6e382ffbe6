namespace Orchestrator.Core.Pipelines;

/// <summary>Finds null where a spec needs a value, so that a half-filled spec (e.g. YAML with <c>~</c>) is refused, not crashed on.</summary>
internal static class SpecNullChecks
{
    public static List<ValidationError> Find(PipelineSpec spec)
    {
        var errors = new List<ValidationError>();
        Text(errors, "name", spec.Name);
        Text(errors, "description", spec.Description);
        if (List(errors, "parameters", spec.Parameters))
        {
            for (var i = 0; i < spec.Parameters.Count; i++)
            {
                var parameter = spec.Parameters[i];
                if (parameter is null)
                {
                    Missing(errors, $"parameters[{i}]");
                    continue;
                }

                Text(errors, $"parameters[{i}].name", parameter.Name);
                Text(errors, $"parameters[{i}].description", parameter.Description);
            }
        }

        if (List(errors, "steps", spec.Steps))
        {
            for (var i = 0; i < spec.Steps.Count; i++) Step(errors, $"steps[{i}]", spec.Steps[i]);
        }

        if (spec.ExitHandler is not null) Step(errors, "exit_handler", spec.ExitHandler);
        return errors;
    }

    private static void Step(List<ValidationError> errors, string path, StepSpec? step)
    {
        if (step is null)
        {
            Missing(errors, path);
            return;
        }

        Text(errors, $"{path}.name", step.Name);
        Texts(errors, $"{path}.command", step.Command);
        Text(errors, $"{path}.image", step.Image);
        Map(errors, $"{path}.env", step.Env);
        Map(errors, $"{path}.inputs", step.Inputs);
        Texts(errors, $"{path}.outputs", step.Outputs);
        if (step.Resources is null)
        {
            Missing(errors, $"{path}.resources");
        }
        else
        {
            Text(errors, $"{path}.resources.cpu", step.Resources.Cpu);
            Text(errors, $"{path}.resources.memory", step.Resources.Memory);
            Text(errors, $"{path}.resources.gpu_model", step.Resources.GpuModel);
            Texts(errors, $"{path}.resources.pools", step.Resources.Pools);
        }

        if (step.Retry is null)
        {
            Missing(errors, $"{path}.retry");
        }
        else
        {
            Text(errors, $"{path}.retry.backoff", step.Retry.Backoff);
            Text(errors, $"{path}.retry.max_backoff", step.Retry.MaxBackoff);
        }

        Text(errors, $"{path}.timeout", step.Timeout);
        Text(errors, $"{path}.expected_duration", step.ExpectedDuration);
        Text(errors, $"{path}.when", step.When);
        Text(errors, $"{path}.foreach", step.Foreach);
        if (step.Register is { } register)
        {
            Text(errors, $"{path}.register.model", register.Model);
            Text(errors, $"{path}.register.artifact", register.Artifact);
            Text(errors, $"{path}.register.metrics", register.Metrics);
            Text(errors, $"{path}.register.profile", register.Profile);
            Text(errors, $"{path}.register.training_data", register.TrainingData);
            Map(errors, $"{path}.register.parameters", register.Parameters);
            Map(errors, $"{path}.register.tags", register.Tags);
            Text(errors, $"{path}.register.alias", register.Alias);
        }

        Texts(errors, $"{path}.after", step.After);
    }

    private static void Texts(List<ValidationError> errors, string path, IReadOnlyList<string?>? values)
    {
        if (!List(errors, path, values)) return;
        for (var k = 0; k < values!.Count; k++) Text(errors, $"{path}[{k}]", values[k]);
    }

    private static void Map(List<ValidationError> errors, string path, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            Missing(errors, path);
            return;
        }

        foreach (var (key, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal)) Text(errors, $"{path}.{key}", value);
    }

    private static bool List<T>(List<ValidationError> errors, string path, IReadOnlyList<T>? list)
    {
        if (list is not null) return true;
        Missing(errors, path);
        return false;
    }

    private static void Text(List<ValidationError> errors, string path, string? value)
    {
        if (value is null) Missing(errors, path);
    }

    private static void Missing(List<ValidationError> errors, string path) =>
        errors.Add(new ValidationError(path, "is null: give a value, or leave the field out"));
}
