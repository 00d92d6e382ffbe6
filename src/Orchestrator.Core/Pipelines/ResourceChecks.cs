using Orchestrator.Core.Scheduling;

namespace Orchestrator.Core.Pipelines;

/// <summary>Checks and parses a step's resources, retry policy and timeout, applying the documented defaults.</summary>
internal static class ResourceChecks
{
    public static ResourceRequest Resources(PipelineScope scope, ResourcesSpec spec, string path)
    {
        var defaults = ResourceRequest.Default;
        var cpu = defaults.CpuMillis;
        if (spec.Cpu.Length > 0 && scope.CheckText($"{path}.cpu", spec.Cpu))
        {
            cpu = Parse(scope, $"{path}.cpu", () => Quantity.ParseCpuMillis(spec.Cpu), cpu);
            if (cpu <= 0 || cpu > PipelineLimits.MaxCpuMillis)
            {
                scope.Add($"{path}.cpu", $"cpu must be more than 0 and at most 1024 cores, got \"{spec.Cpu}\": write e.g. \"2\" or \"500m\"");
            }
        }

        var memory = defaults.MemoryBytes;
        if (spec.Memory.Length > 0 && scope.CheckText($"{path}.memory", spec.Memory))
        {
            memory = Parse(scope, $"{path}.memory", () => Quantity.ParseBytes(spec.Memory), memory);
            if (memory <= 0 || memory > PipelineLimits.MaxMemoryBytes)
            {
                scope.Add($"{path}.memory", $"memory must be more than 0 and at most 64Ti, got \"{spec.Memory}\": write e.g. \"4Gi\"");
            }
        }

        if (spec.Gpus is < 0 or > PipelineLimits.MaxGpus)
        {
            scope.Add($"{path}.gpus", $"gpus must be between 0 and {PipelineLimits.MaxGpus}, got {spec.Gpus}");
        }

        if (scope.CheckText($"{path}.gpu_model", spec.GpuModel) && spec.GpuModel.Length > PipelineLimits.MaxGpuModelLength)
        {
            scope.Add($"{path}.gpu_model", $"gpu_model is {spec.GpuModel.Length:N0} characters, more than {PipelineLimits.MaxGpuModelLength}: give the model as the node reports it, e.g. \"NVIDIA H200\"");
        }

        return new ResourceRequest(cpu, memory, spec.Gpus, spec.GpuModel);
    }

    /// <summary>The step's replicas: 0 (unset) and 1 both mean one process.</summary>
    public static int Replicas(PipelineScope scope, int replicas, string path)
    {
        if (replicas is >= 0 and <= PipelineLimits.MaxReplicas) return Math.Max(1, replicas);
        scope.Add(path, $"replicas must be between 1 and {PipelineLimits.MaxReplicas}, got {replicas}: each replica is one process with the step's resources, placed together as a gang");
        return 1;
    }

    public static RetryPolicy Retry(PipelineScope scope, RetrySpec spec, string path)
    {
        var defaults = RetryPolicy.None;
        if (spec.Limit is < 0 or > PipelineLimits.MaxRetryLimit)
        {
            scope.Add($"{path}.limit", $"limit must be between 0 and {PipelineLimits.MaxRetryLimit}, got {spec.Limit}");
        }

        var backoff = defaults.Backoff;
        var backoffValid = true;
        if (spec.Backoff.Length > 0 && scope.CheckText($"{path}.backoff", spec.Backoff))
        {
            backoff = ParseDuration(scope, $"{path}.backoff", spec.Backoff, backoff, out backoffValid);
            if (backoffValid && backoff > PipelineLimits.MaxBackoff)
            {
                scope.Add($"{path}.backoff", $"backoff must be at most 24h, got \"{spec.Backoff}\"");
                backoffValid = false;
            }
        }

        var factor = spec.Factor == 0 ? defaults.Factor : spec.Factor;
        if (!(factor >= 1 && factor <= PipelineLimits.MaxRetryFactor))
        {
            scope.Add($"{path}.factor", $"factor must be between 1 and 10 (0 or unset means the default 2), got {spec.Factor.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        var maxBackoff = defaults.MaxBackoff;
        var maxValid = true;
        if (spec.MaxBackoff.Length > 0 && scope.CheckText($"{path}.max_backoff", spec.MaxBackoff))
        {
            maxBackoff = ParseDuration(scope, $"{path}.max_backoff", spec.MaxBackoff, maxBackoff, out maxValid);
        }

        if (backoffValid && maxValid && maxBackoff < backoff)
        {
            scope.Add($"{path}.max_backoff", $"max_backoff ({Durations.Format(maxBackoff)}) is shorter than backoff ({Durations.Format(backoff)}): make it at least {Durations.Format(backoff)}");
        }

        return new RetryPolicy(spec.Limit, backoff, factor, maxBackoff);
    }

    public static TimeSpan? Timeout(PipelineScope scope, string text, string field)
    {
        if (text.Length == 0 || !scope.CheckText(field, text)) return null;
        var timeout = ParseDuration(scope, field, text, TimeSpan.Zero, out var valid);
        if (valid && (timeout <= TimeSpan.Zero || timeout > PipelineLimits.MaxTimeout))
        {
            scope.Add(field, $"timeout must be more than 0 and at most 7d, got \"{text}\": leave it unset for no limit");
        }

        return timeout;
    }

    /// <summary>Pool names as a DNS label each, none twice; the valid ones in the order written.</summary>
    public static List<string> Pools(PipelineScope scope, IReadOnlyList<string> pools, string path)
    {
        var result = new List<string>(pools.Count);
        for (var k = 0; k < pools.Count; k++)
        {
            var pool = pools[k];
            var field = $"{path}[{k}]";
            if (!scope.CheckText(field, pool)) continue;
            if (!SchedulingNames.IsName(pool))
            {
                scope.Add(field, $"\"{TemplateParser.ForMessage(pool)}\" is not a pool name: use {SchedulingNames.NameRule} (e.g. h200), as the pool is named in the scheduling configuration");
            }
            else if (result.Contains(pool, StringComparer.Ordinal))
            {
                scope.Add(field, $"pool \"{pool}\" is listed twice: name each pool once");
            }
            else
            {
                result.Add(pool);
            }
        }

        return result;
    }

    public static TimeSpan? ExpectedDuration(PipelineScope scope, string text, string field)
    {
        if (text.Length == 0 || !scope.CheckText(field, text)) return null;
        var expected = ParseDuration(scope, field, text, TimeSpan.Zero, out var valid);
        if (!valid) return null;
        if (expected <= TimeSpan.Zero || expected > PipelineLimits.MaxTimeout)
        {
            scope.Add(field, $"expected_duration must be more than 0 and at most 7d, got \"{text}\": leave it unset when unknown");
            return null;
        }

        return expected;
    }

    private static long Parse(PipelineScope scope, string field, Func<long> parse, long fallback)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            scope.Add(field, e.Message);
            return fallback;
        }
    }

    private static TimeSpan ParseDuration(PipelineScope scope, string field, string text, TimeSpan fallback, out bool valid)
    {
        try
        {
            valid = true;
            return Durations.Parse(text);
        }
        catch (FormatException e)
        {
            scope.Add(field, e.Message);
            valid = false;
            return fallback;
        }
    }
}
