using System.CommandLine;

using Grpc.Core;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch models list|get|versions|register|alias|unalias|compare|audit|gates|retraining|retrain|rollout|split|traffic</c>: the model registry.</summary>
internal static class ModelCommands
{
    /// <summary>The <c>models</c> command group.</summary>
    public static Command Create(CliApp app)
    {
        var models = new Command("models", "The model registry: numbered versions with lineage, metrics and a baseline profile; aliases; an audit trail.");
        models.Aliases.Add("model");
        models.Subcommands.Add(List(app));
        models.Subcommands.Add(Get(app));
        models.Subcommands.Add(Versions(app));
        models.Subcommands.Add(Register(app));
        models.Subcommands.Add(Alias(app));
        models.Subcommands.Add(Unalias(app));
        models.Subcommands.Add(Compare(app));
        models.Subcommands.Add(Audit(app));
        models.Subcommands.Add(ModelGateCommands.Create(app));
        models.Subcommands.Add(ModelRetrainingCommands.Create(app));
        models.Subcommands.Add(ModelRetrainingCommands.Retrain(app));
        models.Subcommands.Add(ModelTrafficCommand.Create(app));
        models.Subcommands.Add(ModelRolloutCommands.Create(app));
        models.Subcommands.Add(ModelRolloutCommands.Split(app));
        return models;
    }

    private static Command List(CliApp app)
    {
        var command = new Command("list", """
            List the tenant's models with their latest version and aliases.

            Example:
              orch models list -o json
            """);
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var response = await context.Client.Models.ListModelsAsync(new ListModelsRequest { Tenant = context.Settings.Tenant }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(ModelTables.Models(response.Models, context.Now));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get(CliApp app)
    {
        var name = NameArgument();
        var version = new Option<string>("--version") { Description = "show this version in full: a number, 'latest' or an alias", HelpName = "V" };
        var command = new Command("get", """
            Show a model (aliases and every version in brief), or with --version one version in full: lineage, metrics,
            parameters, tags and its baseline profile.

            Examples:
              orch models get churn
              orch models get churn --version champion -o yaml
            """) { name, version };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var model = context.Parse.GetValue(name)!;
            if (context.Parse.GetValue(version) is { } reference)
            {
                var found = await context.Client.Models.GetModelVersionAsync(
                    new GetModelVersionRequest { Tenant = context.Settings.Tenant, Name = model, Version = reference }, OrchClient.Unary(cancellationToken));
                if (context.Output == OutputFormat.Table) context.Write(ModelTables.Version(found, context.Now));
                else context.Write(found);
                return ExitCodes.Success;
            }

            var response = await context.Client.Models.GetModelAsync(new GetModelRequest { Tenant = context.Settings.Tenant, Name = model }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(ModelTables.Model(response, context.Now));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Versions(CliApp app)
    {
        var name = NameArgument();
        var alias = new Option<string>("--alias") { Description = "only the version this alias points at", HelpName = "A" };
        var tags = new Option<string[]>("--tag") { Description = "only versions with this tag, KEY=VALUE (repeatable; all must match)", HelpName = "KEY=VALUE" };
        var metrics = new Option<string[]>("--metric") { Description = "only versions whose metric passes, e.g. 'auc>=0.8' (repeatable; all must hold)", HelpName = "EXPR" };
        var run = new Option<string>("--run") { Description = "only versions trained by this run", HelpName = "RUN" };
        var limit = new Option<int>("--limit") { Description = "versions per page, 1..1000 (default 50)", HelpName = "N", DefaultValueFactory = _ => 50 };
        var pageToken = new Option<string>("--page-token") { Description = "continue a previous listing from its next-page token", HelpName = "T" };
        var all = new Option<bool>("--all") { Description = "follow every page to the end" };
        var command = new Command("versions", """
            List a model's versions, newest first, with their aliases and metrics.

            Examples:
              orch models versions churn --metric 'auc>=0.8' --tag team=ml
              orch models versions churn --alias champion -o json
            """) { name, alias, tags, metrics, run, limit, pageToken, all };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var pageSize = context.Parse.GetValue(limit);
            if (pageSize is < 1 or > 1000) throw new CliUsageException($"--limit {pageSize} is out of range; give 1 to 1000");
            var request = new ListModelVersionsRequest
            {
                Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, Alias = context.Parse.GetValue(alias) ?? "",
                RunId = context.Parse.GetValue(run) ?? "", PageSize = pageSize, PageToken = context.Parse.GetValue(pageToken) ?? "",
                TagSelector = string.Join(',', KeyValueArguments.Parse(context.Parse.GetValue(tags), "--tag", "team=ml").Select(p => $"{p.Key}={p.Value}")),
            };
            request.MetricFilters.AddRange(context.Parse.GetValue(metrics) ?? []);

            var result = new ListModelVersionsResponse();
            do
            {
                var page = await context.Client.Models.ListModelVersionsAsync(request, OrchClient.Unary(cancellationToken));
                result.Versions.AddRange(page.Versions);
                result.NextPageToken = page.NextPageToken;
                request.PageToken = page.NextPageToken;
            }
            while (context.Parse.GetValue(all) && result.NextPageToken.Length > 0);

            if (context.Output != OutputFormat.Table)
            {
                context.Write(result);
                return ExitCodes.Success;
            }

            context.Write(ModelTables.Versions(result.Versions, context.Now));
            if (result.NextPageToken.Length > 0) await context.Console.Error.WriteLineAsync($"more versions: add --page-token {result.NextPageToken} (or --all)");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Register(CliApp app)
    {
        var name = NameArgument();
        var file = new Option<string>("--file", "-f") { Description = "the version's YAML file (artifact, source, metrics, parameters, tags, profile)", Required = true, HelpName = "FILE" };
        var reason = ReasonOption();
        var requestId = new Option<string>("--request-id") { Description = "idempotency key: a retry with the same key registers nothing new", HelpName = "ID" };
        var command = new Command("register", """
            Register a new version of a model from a YAML file; versions are numbered 1, 2, 3.

            Example:
              orch models register churn -f version.yaml --reason "weekly retrain"
            """) { name, file, reason, requestId };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var path = context.Parse.GetValue(file)!;
            var spec = ReadVersionFile(path);
            var response = await context.Client.Models.RegisterModelVersionAsync(new RegisterModelVersionRequest
            {
                Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, Version = spec,
                Reason = context.Parse.GetValue(reason) ?? "", RequestId = context.Parse.GetValue(requestId) ?? "",
            }, AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(ModelTables.Registered(response));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Alias(CliApp app)
    {
        var name = NameArgument();
        var alias = new Argument<string>("ALIAS") { Description = "champion, challenger or any name (lowercase letters, digits, '-')" };
        var version = new Argument<string>("VERSION") { Description = "a version number, 'latest', or another alias" };
        var reason = ReasonOption();
        var command = new Command("alias", """
            Point an alias at a version, creating or moving it. Each move is one audit entry.

            Examples:
              orch models alias churn challenger 7 --reason "passed the gates"
              orch models alias churn champion challenger --reason "promote"
            """) { name, alias, version, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var model = context.Parse.GetValue(name)!;
            var change = await context.Client.Models.SetAliasAsync(new SetAliasRequest
            {
                Tenant = context.Settings.Tenant, Name = model, Alias = context.Parse.GetValue(alias)!, Version = context.Parse.GetValue(version)!,
                Reason = context.Parse.GetValue(reason) ?? "",
            }, AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(ModelTables.AliasChanged(model, change));
            else context.Write(change);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Unalias(CliApp app)
    {
        var name = NameArgument();
        var alias = new Argument<string>("ALIAS") { Description = "the alias to remove" };
        var reason = ReasonOption();
        var command = new Command("unalias", """
            Remove an alias from a model.

            Example:
              orch models unalias churn challenger --reason "failed in canary"
            """) { name, alias, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var model = context.Parse.GetValue(name)!;
            var change = await context.Client.Models.RemoveAliasAsync(new RemoveAliasRequest
            {
                Tenant = context.Settings.Tenant, Name = model, Alias = context.Parse.GetValue(alias)!, Reason = context.Parse.GetValue(reason) ?? "",
            }, AsUser(context, cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(ModelTables.AliasChanged(model, change));
            else context.Write(change);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Compare(CliApp app)
    {
        var name = NameArgument();
        var a = new Argument<string>("V1") { Description = "a version number, 'latest' or an alias" };
        var b = new Argument<string>("V2") { Description = "a version number, 'latest' or an alias" };
        var command = new Command("compare", """
            Two versions' metrics and parameters side by side; DELTA is V2 - V1.

            Example:
              orch models compare churn champion challenger
            """) { name, a, b };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var response = await context.Client.Models.CompareModelVersionsAsync(new CompareModelVersionsRequest
            {
                Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, VersionA = context.Parse.GetValue(a)!, VersionB = context.Parse.GetValue(b)!,
            }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(ModelTables.Comparison(response));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Audit(CliApp app)
    {
        var name = NameArgument();
        var limit = new Option<int>("--limit") { Description = "entries per page, 1..1000 (default 50)", HelpName = "N", DefaultValueFactory = _ => 50 };
        var pageToken = new Option<string>("--page-token") { Description = "continue from a previous page's token", HelpName = "T" };
        var command = new Command("audit", """
            A model's audit trail, newest first: every registration and alias change, who made it and why.

            Example:
              orch models audit churn --limit 20
            """) { name, limit, pageToken };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var pageSize = context.Parse.GetValue(limit);
            if (pageSize is < 1 or > 1000) throw new CliUsageException($"--limit {pageSize} is out of range; give 1 to 1000");
            var response = await context.Client.Models.GetAuditTrailAsync(new GetAuditTrailRequest
            {
                Tenant = context.Settings.Tenant, Name = context.Parse.GetValue(name)!, PageSize = pageSize, PageToken = context.Parse.GetValue(pageToken) ?? "",
            }, OrchClient.Unary(cancellationToken));
            if (context.Output != OutputFormat.Table)
            {
                context.Write(response);
                return ExitCodes.Success;
            }

            context.Write(ModelTables.Audit(response.Entries, context.Now));
            if (response.NextPageToken.Length > 0) await context.Console.Error.WriteLineAsync($"older entries: add --page-token {response.NextPageToken}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The model name argument every <c>orch models</c> command takes.</summary>
    internal static Argument<string> NameArgument() => new("NAME") { Description = "the model's name" };

    /// <summary>The <c>--reason</c> option of commands that change a model.</summary>
    internal static Option<string> ReasonOption() => new("--reason") { Description = "why, for the audit trail", HelpName = "TEXT" };

    /// <summary>A unary call that names the user in <c>x-orch-user</c>, so the audit trail says who made the change.</summary>
    internal static CallOptions AsUser(CommandContext context, CancellationToken cancellationToken) =>
        OrchClient.Unary(cancellationToken).WithHeaders(new Metadata { { "x-orch-user", context.User } });

    /// <summary>Reads and parses a version file; problems name the file, the line/column and the field path.</summary>
    private static ModelVersionSpec ReadVersionFile(string path) => CliFiles.ReadYaml(path, ProtoYaml.Parse<ModelVersionSpec>);
}
