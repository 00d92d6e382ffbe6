using Orchestrator.Core.Pipelines;
using Orchestrator.Grains;
using Proto = Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Pipeline specs between the wire (proto) and Core.</summary>
public static class SpecMapper
{
    /// <summary>Proto to Core. A default that is not a parameter value is INVALID_ARGUMENT at its field.</summary>
    public static PipelineSpec ToCore(Proto.PipelineSpec spec) => new()
    {
        Name = spec.Name,
        Description = spec.Description,
        Parameters = [.. spec.Parameters.Select(ToCore)],
        Steps = [.. spec.Steps.Select(ToCore)],
        ExitHandler = spec.ExitHandler is null ? null : ToCore(spec.ExitHandler),
        Cache = spec.HasCache ? spec.Cache : null,
    };

    /// <summary>Core to proto.</summary>
    public static Proto.PipelineSpec ToProto(PipelineSpec spec)
    {
        var result = new Proto.PipelineSpec { Name = spec.Name, Description = spec.Description, ExitHandler = spec.ExitHandler is null ? null : ToProto(spec.ExitHandler) };
        if (spec.Cache is { } cache) result.Cache = cache;
        result.Parameters.AddRange(spec.Parameters.Select(p => new Proto.ParameterSpec
        {
            Name = p.Name,
            Type = (Proto.ParameterType)((int)p.Type + 1),
            Default = p.Default is null ? null : ValueText.FromText(p.Type, p.Default),
            Description = p.Description,
        }));
        result.Steps.AddRange(spec.Steps.Select(ToProto));
        return result;
    }

    private static ParameterSpec ToCore(Proto.ParameterSpec p, int index)
    {
        string? value;
        try
        {
            value = ValueText.ToText(p.Default);
        }
        catch (FormatException e)
        {
            throw OrchestratorException.Invalid($"parameters[{index}].default", e.Message);
        }

        return new ParameterSpec
        {
            Name = p.Name,
            Type = p.Type == Proto.ParameterType.Unspecified ? ParameterType.String : (ParameterType)((int)p.Type - 1),
            Default = value,
            Description = p.Description,
        };
    }

    private static StepSpec ToCore(Proto.StepSpec s) => new()
    {
        Name = s.Name,
        Command = [.. s.Command],
        Image = s.Image,
        Env = s.Env.ToDictionary(kv => kv.Key, kv => kv.Value),
        Inputs = s.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value),
        Outputs = [.. s.Outputs],
        Resources = s.Resources is null ? new ResourcesSpec() : new ResourcesSpec
        {
            Cpu = s.Resources.Cpu, Memory = s.Resources.Memory, Gpus = s.Resources.Gpus, GpuModel = s.Resources.GpuModel,
            Pools = [.. s.Resources.Pools],
            Replicas = s.Resources.Replicas,
        },
        Retry = s.Retry is null ? new RetrySpec() : new RetrySpec
        {
            Limit = s.Retry.Limit, Backoff = s.Retry.Backoff, Factor = s.Retry.Factor, MaxBackoff = s.Retry.MaxBackoff,
        },
        Timeout = s.Timeout,
        ExpectedDuration = s.ExpectedDuration,
        When = s.When,
        Foreach = s.Foreach,
        After = [.. s.After],
        Cache = s.HasCache ? s.Cache : null,
        Register = s.Register is null ? null : new RegisterSpec
        {
            Model = s.Register.Model, Artifact = s.Register.Artifact, Metrics = s.Register.Metrics, Profile = s.Register.Profile,
            Parameters = s.Register.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value),
            Tags = s.Register.Tags.ToDictionary(kv => kv.Key, kv => kv.Value),
            TrainingData = s.Register.TrainingData, Alias = s.Register.Alias,
        },
    };

    private static Proto.StepSpec ToProto(StepSpec s)
    {
        var result = new Proto.StepSpec
        {
            Name = s.Name, Image = s.Image, Timeout = s.Timeout, When = s.When, Foreach = s.Foreach, ExpectedDuration = s.ExpectedDuration,
            Resources = new Proto.Resources { Cpu = s.Resources.Cpu, Memory = s.Resources.Memory, Gpus = s.Resources.Gpus, GpuModel = s.Resources.GpuModel, Replicas = s.Resources.Replicas },
            Retry = new Proto.RetryPolicy { Limit = s.Retry.Limit, Backoff = s.Retry.Backoff, Factor = s.Retry.Factor, MaxBackoff = s.Retry.MaxBackoff },
        };
        if (s.Cache is { } cache) result.Cache = cache;
        result.Command.AddRange(s.Command);
        result.Env.Add(s.Env.ToDictionary());
        result.Inputs.Add(s.Inputs.ToDictionary());
        result.Outputs.AddRange(s.Outputs);
        result.After.AddRange(s.After);
        result.Resources.Pools.AddRange(s.Resources.Pools);
        if (s.Register is { } register)
        {
            result.Register = new Proto.RegisterSpec
            {
                Model = register.Model, Artifact = register.Artifact, Metrics = register.Metrics, Profile = register.Profile,
                TrainingData = register.TrainingData, Alias = register.Alias,
            };
            result.Register.Parameters.Add(register.Parameters.ToDictionary());
            result.Register.Tags.Add(register.Tags.ToDictionary());
        }

        return result;
    }
}
