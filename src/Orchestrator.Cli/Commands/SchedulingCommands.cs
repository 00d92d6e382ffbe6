using System.CommandLine;
using System.Text.RegularExpressions;

using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch scheduling get|apply</c>: the runtime scheduling configuration (pools, tenants, quotas, priority classes, tuning).</summary>
internal static partial class SchedulingCommands
{
    /// <summary>The <c>scheduling</c> command group.</summary>
    public static Command Create(CliApp app)
    {
        var scheduling = new Command("scheduling", """
            Read or replace the scheduling configuration: pools, tenants and their quotas, priority classes, tuning.
            Changes take effect without a restart.

            Examples:
              orch scheduling get -o yaml > scheduling.yaml
              orch scheduling apply -f scheduling.yaml
            """);
        scheduling.Subcommands.Add(Get(app));
        scheduling.Subcommands.Add(Apply(app));
        return scheduling;
    }

    private static Command Get(CliApp app)
    {
        var command = new Command("get", """
            Print the configuration in force with its version (0 = the server's own configuration) and when it was updated.
            Its YAML (-o yaml) is what 'scheduling apply -f' reads back.

            Example:
              orch scheduling get -o yaml
            """);
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var response = await context.Client.Scheduling.GetSchedulingConfigAsync(new GetSchedulingConfigRequest(), OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table)
            {
                var updated = response.UpdatedAt is null ? "" : $", updated {response.UpdatedAt.ToDateTimeOffset():u}";
                context.WriteLine($"# version {response.Version}{(response.Version == 0 ? " (the server's configuration)" : updated)}");
                context.Console.Out.Write(ProtoYaml.ToYaml(response.Config ?? new SchedulingConfig()));
            }
            else
            {
                context.Write(response);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Apply(CliApp app)
    {
        var file = new Option<string>("--file", "-f") { Description = "the configuration as YAML (as 'scheduling get -o yaml' prints it, or its config part alone)", Required = true, HelpName = "FILE" };
        var command = new Command("apply", """
            Replace the whole scheduling configuration with the one in FILE; every pool's scheduler applies it at once.
            A refused configuration lists every bad field (e.g. tenants[1].quotas.h200.gpus) and changes nothing.

            Example:
              orch scheduling apply -f scheduling.yaml
            """) { file };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var path = context.Parse.GetValue(file)!;
            var config = ReadConfigFile(path);
            var response = await context.Client.Scheduling.UpdateSchedulingConfigAsync(
                new UpdateSchedulingConfigRequest { Config = config }, OrchClient.Unary(cancellationToken));
            if (context.Output != OutputFormat.Table) context.Write(response);
            else
            {
                var c = response.Config ?? new SchedulingConfig();
                context.WriteLine($"scheduling configuration version {response.Version} applied: {c.Pools.Count} pool(s), {c.Tenants.Count} tenant(s), {c.PriorityClasses.Count} priority class(es)");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Reads a configuration file: the output of <c>scheduling get -o yaml</c> (its <c>config</c> is taken,
    /// version and time ignored) or a bare configuration. Problems name the file, line and field path.</summary>
    private static SchedulingConfig ReadConfigFile(string path) => CliFiles.ReadYaml(path, yaml => WrappedConfig().IsMatch(yaml)
        ? ProtoYaml.Parse<SchedulingConfigResponse>(yaml).Config ?? new SchedulingConfig()
        : ProtoYaml.Parse<SchedulingConfig>(yaml));

    /// <summary>A top-level <c>config:</c> key: the document is a whole <c>scheduling get</c> answer.</summary>
    [GeneratedRegex(@"^config\s*:", RegexOptions.Multiline)]
    private static partial Regex WrappedConfig();
}
