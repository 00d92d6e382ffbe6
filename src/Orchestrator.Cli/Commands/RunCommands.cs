using System.CommandLine;

using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch run submit|list|get|watch|cancel|retry|logs|why</c>.</summary>
internal static class RunCommands
{
    /// <summary>The <c>run</c> command group.</summary>
    public static Command Create(CliApp app)
    {
        var run = new Command("run", "Submit runs of pipelines, follow them, cancel or retry them, read their logs, ask why they wait.");
        run.Subcommands.Add(Submit(app));
        run.Subcommands.Add(List(app));
        run.Subcommands.Add(Get(app));
        run.Subcommands.Add(Watch(app));
        run.Subcommands.Add(Cancel(app));
        run.Subcommands.Add(Retry(app));
        run.Subcommands.Add(Logs(app));
        run.Subcommands.Add(RunWhyCommand.Create(app));
        return run;
    }

    private static Command Submit(CliApp app)
    {
        var pipeline = new Argument<string>("PIPELINE") { Description = "the pipeline's name" };
        var version = new Option<string>("--version") { Description = "'latest' (default), a version number or a digest", HelpName = "V" };
        var parameters = new Option<string[]>("--param", "-p") { Description = "a parameter value, NAME=VALUE (repeatable); converted by the server to the declared type", HelpName = "NAME=VALUE" };
        var labels = new Option<string[]>("--label") { Description = "a label on the run, KEY=VALUE (repeatable)", HelpName = "KEY=VALUE" };
        var priority = new Option<int>("--priority") { Description = "higher runs first, -1000..1000 (default 0)", HelpName = "N" };
        var priorityClass = new Option<string>("--priority-class")
        {
            Description = "a priority class from the scheduling configuration (orch scheduling get); instead of --priority",
            HelpName = "NAME",
        };
        var requestId = new Option<string>("--request-id") { Description = "idempotency key: submitting again with the same id returns the same run", HelpName = "ID" };
        var noCache = new Option<bool>("--no-cache") { Description = "run every step even when an identical earlier step's outputs could be reused" };
        var watch = new Option<bool>("--watch") { Description = "follow the run until it finishes (exit code 0 only if it succeeded)" };
        var admission = new Option<string>("--admission")
        {
            Description = "stepwise (default: each step against the quota when ready) or whole-run (reserve the run's peak GPUs against the tenant's quota before its first step)",
            HelpName = "MODE",
        };
        admission.AcceptOnlyFromAmong("stepwise", "whole-run");
        var command = new Command("submit", """
            Submit a run of a pipeline and print its id (with -o json: the Run).
            With --watch, follow it like 'run watch'; with -o json the Run comes first, then one RunEvent per line.

            Examples:
              orch run submit churn -p code_dir=$PWD/examples/churn -p learning_rates='[0.3, 0.1, 0.03]' --watch
              orch run submit churn --label team=growth --priority 10 --request-id nightly-2025-05-01
              orch run submit train-sweep --admission whole-run --priority-class high
            """) { pipeline, version, parameters, labels, priority, priorityClass, requestId, noCache, watch, admission };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var request = new SubmitRunRequest
            {
                Tenant = context.Settings.Tenant,
                Pipeline = context.Parse.GetValue(pipeline)!,
                PipelineVersion = context.Parse.GetValue(version) ?? "",
                Priority = context.Parse.GetValue(priority),
                PriorityClass = context.Parse.GetValue(priorityClass) ?? "",
                RequestId = context.Parse.GetValue(requestId) ?? "",
                DisableCache = context.Parse.GetValue(noCache),
                SubmittedBy = context.User,
                Admission = context.Parse.GetValue(admission) switch
                {
                    "whole-run" => Admission.WholeRun,
                    "stepwise" => Admission.Stepwise,
                    _ => Admission.Unspecified,
                },
            };
            foreach (var (name, value) in KeyValueArguments.Parse(context.Parse.GetValue(parameters), "--param", "rows=4000"))
            {
                request.Parameters[name] = Value.ForString(value);
            }

            foreach (var (key, value) in KeyValueArguments.Parse(context.Parse.GetValue(labels), "--label", "team=growth"))
            {
                request.Labels[key] = value;
            }

            var follow = context.Parse.GetValue(watch);
            if (follow) context.RequireLineOutput("run submit --watch");
            var run = await context.Client.Runs.SubmitRunAsync(request, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine(run.Id);
            else if (follow) context.WriteLine(ProtoOutput.JsonLine(run));
            else context.Write(run);
            return follow ? await context.WatchAsync(run.Id, cancellationToken) : ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliApp app)
    {
        var pipeline = new Option<string>("--pipeline") { Description = "only runs of this pipeline", HelpName = "P" };
        var states = new Option<string[]>("--state") { Description = $"only runs in this state (repeatable): {string.Join(", ", EnumText.Names<RunState>())}", HelpName = "S" };
        var labels = new Option<string[]>("--label") { Description = "only runs with this label, KEY=VALUE (repeatable; all must match)", HelpName = "KEY=VALUE" };
        var limit = new Option<int>("--limit") { Description = "runs per page, 1..1000 (default 50)", HelpName = "N", DefaultValueFactory = _ => 50 };
        var pageToken = new Option<string>("--page-token") { Description = "continue a previous listing from its next-page token", HelpName = "T" };
        var all = new Option<bool>("--all") { Description = "follow every page to the end" };
        var command = new Command("list", """
            List runs, newest first: id, pipeline@version, state, steps done/total, age, duration, labels.

            Examples:
              orch run list --pipeline churn --state failed --state cancelled
              orch run list --label team=growth --all -o json
            """) { pipeline, states, labels, limit, pageToken, all };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var pageSize = context.Parse.GetValue(limit);
            if (pageSize is < 1 or > 1000) throw new CliUsageException($"--limit {pageSize} is out of range; give 1 to 1000");
            var request = new ListRunsRequest
            {
                Tenant = context.Settings.Tenant,
                Pipeline = context.Parse.GetValue(pipeline) ?? "",
                PageSize = pageSize,
                PageToken = context.Parse.GetValue(pageToken) ?? "",
                LabelSelector = LabelSelector(context.Parse.GetValue(labels)),
            };
            request.States.AddRange((context.Parse.GetValue(states) ?? []).Select(s => EnumText.Parse<RunState>(s, "--state")));

            var result = new ListRunsResponse();
            do
            {
                var page = await context.Client.Runs.ListRunsAsync(request, OrchClient.Unary(cancellationToken));
                result.Runs.AddRange(page.Runs);
                result.NextPageToken = page.NextPageToken;
                request.PageToken = page.NextPageToken;
            }
            while (context.Parse.GetValue(all) && result.NextPageToken.Length > 0);

            if (context.Output != OutputFormat.Table)
            {
                context.Write(result);
                return ExitCodes.Success;
            }

            context.Write(RunTables.Runs(result.Runs, context.Now));
            if (result.NextPageToken.Length > 0)
            {
                await context.Console.Error.WriteLineAsync($"more runs: add --page-token {result.NextPageToken} (or --all)");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get(CliApp app)
    {
        var id = new Argument<string>("ID") { Description = "the run id" };
        var command = new Command("get", """
            Show a run: its state, parameters, every step, and its latest events (with -o json: the whole Run).

            Example:
              orch run get r-01HX3K8Z
            """) { id };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var run = await context.Client.Runs.GetRunAsync(new GetRunRequest { RunId = context.Parse.GetValue(id)! }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(RunTables.Run(run, context.Now));
            else context.Write(run);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Watch(CliApp app)
    {
        var id = new Argument<string>("ID") { Description = "the run id" };
        var command = new Command("watch", """
            Follow a run until it finishes: a live table on a terminal, one line per event otherwise
            (with -o json: one RunEvent per line). Reconnects by itself if the stream breaks.
            Exit code 0 when the run succeeded, 1 when it failed or was cancelled.

            Example:
              orch run watch r-01HX3K8Z && echo "model trained"
            """) { id };
        app.SetAction(command, (context, cancellationToken) => context.WatchAsync(context.Parse.GetValue(id)!, cancellationToken));
        return command;
    }

    private static Command Cancel(CliApp app)
    {
        var id = new Argument<string>("ID") { Description = "the run id" };
        var reason = new Option<string>("--reason") { Description = "why, for the run's history", HelpName = "TEXT" };
        var command = new Command("cancel", """
            Cancel a run: running steps are stopped, the rest skipped; the exit handler still runs.

            Example:
              orch run cancel r-01HX3K8Z --reason "wrong dataset"
            """) { id, reason };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var run = await context.Client.Runs.CancelRunAsync(
                new CancelRunRequest { RunId = context.Parse.GetValue(id)!, Reason = context.Parse.GetValue(reason) ?? "", RequestedBy = context.User },
                OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine($"run {run.Id}: cancel requested (now {EnumText.Short(run.State)})");
            else context.Write(run);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Retry(CliApp app)
    {
        var id = new Argument<string>("ID") { Description = "the run id" };
        var watch = new Option<bool>("--watch") { Description = "follow the run until it finishes (exit code 0 only if it succeeded)" };
        var command = new Command("retry", """
            Retry a failed or cancelled run: reruns only the failed, cancelled and skipped steps and what depends on them.

            Example:
              orch run retry r-01HX3K8Z --watch
            """) { id, watch };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var follow = context.Parse.GetValue(watch);
            if (follow) context.RequireLineOutput("run retry --watch");
            var run = await context.Client.Runs.RetryRunAsync(
                new RetryRunRequest { RunId = context.Parse.GetValue(id)!, RequestedBy = context.User }, OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.WriteLine($"run {run.Id}: retrying (now {EnumText.Short(run.State)})");
            else if (follow) context.WriteLine(ProtoOutput.JsonLine(run));
            else context.Write(run);
            return follow ? await context.WatchAsync(run.Id, cancellationToken) : ExitCodes.Success;
        });
        return command;
    }

    private static Command Logs(CliApp app)
    {
        var id = new Argument<string>("ID") { Description = "the run id" };
        var step = new Argument<string>("STEP") { Description = "the step key: a name, or NAME[i] for fan-out item i" };
        var attempt = new Option<int>("--attempt") { Description = "which attempt (default: the latest)", HelpName = "N" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep streaming until the attempt finishes" };
        var replica = new Option<int>("--replica") { Description = "which process of a multi-replica step (default: 0, the first)", HelpName = "R" };
        var command = new Command("logs", """
            Print a step attempt's output: its stdout to stdout and its stderr to stderr, byte for byte
            (with -o json: one LogChunk per line). A step with resources.replicas runs one process per
            replica, each with its own log: --replica picks one.

            Examples:
              orch run logs r-01HX3K8Z 'train[1]' -f
              orch run logs r-01HX3K8Z prepare --attempt 1 2>/dev/null
              orch run logs r-01HX3K8Z train-ddp --replica 1
            """) { id, step, attempt, follow, replica };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            context.RequireLineOutput("run logs");
            var number = context.Parse.GetValue(attempt);
            if (number < 0) throw new CliUsageException($"--attempt {number} is not an attempt number; attempts count from 1");
            var process = context.Parse.GetValue(replica);
            if (process < 0) throw new CliUsageException($"--replica {process} is not a replica; replicas count from 0");
            using var call = context.Client.Runs.StreamLogs(
                new StreamLogsRequest
                {
                    RunId = context.Parse.GetValue(id)!, StepKey = context.Parse.GetValue(step)!, Attempt = number, Follow = context.Parse.GetValue(follow),
                    Replica = process,
                },
                OrchClient.Streaming(cancellationToken));
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (context.Output == OutputFormat.Json) context.WriteLine(ProtoOutput.JsonLine(chunk));
                else if (chunk.Stream == LogStream.Stderr) await context.Console.WriteErrorBytesAsync(chunk.Data.Memory, cancellationToken);
                else await context.Console.WriteOutBytesAsync(chunk.Data.Memory, cancellationToken);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string LabelSelector(string[]? labels)
    {
        var pairs = KeyValueArguments.Parse(labels, "--label", "team=growth");
        foreach (var (key, value) in pairs)
        {
            if (key.Contains(',', StringComparison.Ordinal) || value.Contains(',', StringComparison.Ordinal))
            {
                throw new CliUsageException($"--label '{key}={value}' contains ','; the server's label selector separates pairs with commas");
            }
        }

        return string.Join(',', pairs.Select(p => $"{p.Key}={p.Value}"));
    }
}
