using System.CommandLine;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch pipeline apply|list|get|versions|delete</c>.</summary>
internal static class PipelineCommands
{
    /// <summary>The <c>pipeline</c> command group.</summary>
    public static Command Create(CliApp app)
    {
        var pipeline = new Command("pipeline", "Create and inspect pipelines: immutable, content-addressed versions of a YAML spec.");
        pipeline.Subcommands.Add(Apply(app));
        pipeline.Subcommands.Add(List(app));
        pipeline.Subcommands.Add(Get(app));
        pipeline.Subcommands.Add(Versions(app));
        pipeline.Subcommands.Add(Delete(app));
        return pipeline;
    }

    private static Command Apply(CliApp app)
    {
        var file = new Option<string>("--file", "-f") { Description = "the pipeline YAML file", Required = true, HelpName = "FILE" };
        var description = new Option<string>("--description") { Description = "a note for this version (shown by 'pipeline versions')", HelpName = "TEXT" };
        var command = new Command("apply", """
            Create a version of a pipeline from a YAML file. An identical spec creates nothing and names the existing version.

            Example:
              orch pipeline apply -f examples/churn/pipeline.yaml --description "150 epochs"
            """) { file, description };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var spec = ReadSpecFile(context.Parse.GetValue(file)!);
            var response = await context.Client.Pipelines.CreatePipelineVersionAsync(
                new CreatePipelineVersionRequest { Tenant = context.Settings.Tenant, Spec = spec, Description = context.Parse.GetValue(description) ?? "" },
                OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(PipelineTables.Applied(response));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliApp app)
    {
        var command = new Command("list", """
            List the tenant's pipelines with their latest version.

            Example:
              orch pipeline list -o json
            """);
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var response = await context.Client.Pipelines.ListPipelinesAsync(
                new ListPipelinesRequest { Tenant = context.Settings.Tenant }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(PipelineTables.Pipelines(response.Pipelines, context.Now));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get(CliApp app)
    {
        var name = new Argument<string>("NAME") { Description = "the pipeline's name" };
        var version = new Option<string>("--version") { Description = "'latest' (default), a version number, or a digest prefix (8+ characters)", HelpName = "V" };
        var command = new Command("get", """
            Show one version of a pipeline: its parameters and steps. With -o yaml, prints the spec ready to apply again.

            Examples:
              orch pipeline get churn
              orch pipeline get churn --version 2 -o yaml > churn-v2.yaml
            """) { name, version };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var pipeline = await context.Client.Pipelines.GetPipelineAsync(
                new GetPipelineRequest { Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, Version = context.Parse.GetValue(version) ?? "" },
                OrchClient.Unary(cancellationToken));
            switch (context.Output)
            {
                case OutputFormat.Table:
                    context.Write(PipelineTables.Version(pipeline, context.Now));
                    break;
                case OutputFormat.Yaml:
                    context.Console.Out.Write(PipelineYaml.ToYaml(pipeline.Spec ?? new PipelineSpec()));
                    break;
                default:
                    context.Write(pipeline);
                    break;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Versions(CliApp app)
    {
        var name = new Argument<string>("NAME") { Description = "the pipeline's name" };
        var command = new Command("versions", """
            List the versions of a pipeline, newest first.

            Example:
              orch pipeline versions churn
            """) { name };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var response = await context.Client.Pipelines.ListPipelineVersionsAsync(
                new ListPipelineVersionsRequest { Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)! },
                OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(PipelineTables.Versions(response.Versions, context.Now));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CliApp app)
    {
        var name = new Argument<string>("NAME") { Description = "the pipeline's name" };
        var command = new Command("delete", """
            Delete a pipeline and all its versions. Refused while runs of it are active.

            Example:
              orch pipeline delete churn
            """) { name };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var pipelineName = context.Parse.GetValue(name)!;
            var response = await context.Client.Pipelines.DeletePipelineAsync(
                new DeletePipelineRequest { Tenant = context.Settings.Tenant, Name = pipelineName }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine($"pipeline {pipelineName} deleted ({response.VersionsDeleted} versions)");
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Reads and parses a pipeline file; problems name the file, the line/column and the field path.</summary>
    private static PipelineSpec ReadSpecFile(string path) => CliFiles.ReadYaml(path, PipelineYaml.Parse);
}
