using Microsoft.Extensions.Options;
using Orchestrator.Core.Scheduling;

namespace Orchestrator.Grains.Hosting;

/// <summary>Checks <see cref="SchedulingOptions"/> at start-up; each message names the configuration path and the fix.</summary>
public sealed class SchedulingOptionsValidator : IValidateOptions<SchedulingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SchedulingOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Pools.Count; i++)
        {
            if (SchedulingOptions.ParsePacking(options.Pools[i].Packing) is null)
                errors.Add($"{SchedulingOptions.Section}:Pools:{i}:Packing: '{options.Pools[i].Packing}' is not a packing mode; use best-fit or spread");
        }

        if (SchedulingOptions.ParseBackfillMode(options.Tuning.BackfillMode) is null)
            errors.Add($"{SchedulingOptions.Section}:Tuning:BackfillMode: '{options.Tuning.BackfillMode}' is not a backfill mode; use reserve (the default) or greedy");

        var config = options.ToConfig();
        errors.AddRange(SchedulingConfigValidator.Validate(config, ConfigFieldStyle.Configuration, SchedulingOptions.Section)
            .Where(e => !e.Field.EndsWith(":Packing", StringComparison.Ordinal) && !e.Field.EndsWith(":BackfillMode", StringComparison.Ordinal))
            .Select(e => e.ToString()));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
