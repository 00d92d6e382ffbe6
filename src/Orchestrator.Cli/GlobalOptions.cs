using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary>The options every command takes: which server, which tenant, which output format.</summary>
internal sealed class GlobalOptions
{
    /// <summary>The server when neither --server nor ORCH_SERVER says otherwise.</summary>
    public const string DefaultServer = "http://127.0.0.1:7070";

    /// <summary>Creates the options, with defaults from <paramref name="console"/>'s environment.</summary>
    public GlobalOptions(CliConsole console)
    {
        Server = new Option<string>("--server")
        {
            Description = "gRPC address of the orchestrator (env ORCH_SERVER); http:// is plaintext HTTP/2",
            Recursive = true,
            HelpName = "URL",
            DefaultValueFactory = _ => NonEmpty(console.Environment("ORCH_SERVER")) ?? DefaultServer,
        };
        Tenant = new Option<string>("--tenant")
        {
            Description = "tenant that owns pipelines and runs (env ORCH_TENANT)",
            Recursive = true,
            HelpName = "NAME",
            DefaultValueFactory = _ => NonEmpty(console.Environment("ORCH_TENANT")) ?? "default",
        };
        Output = new Option<string>("--output", "-o")
        {
            Description = "output format: table (for people), json (proto field names), yaml",
            Recursive = true,
            HelpName = "table|json|yaml",
            DefaultValueFactory = _ => "table",
        };
        Output.AcceptOnlyFromAmong("table", "json", "yaml");
    }

    /// <summary><c>--server URL</c>.</summary>
    public Option<string> Server { get; }

    /// <summary><c>--tenant NAME</c>.</summary>
    public Option<string> Tenant { get; }

    /// <summary><c>-o|--output table|json|yaml</c>.</summary>
    public Option<string> Output { get; }

    /// <summary>Adds the options to the root command; they apply to every subcommand.</summary>
    public void AddTo(RootCommand root)
    {
        root.Options.Add(Server);
        root.Options.Add(Tenant);
        root.Options.Add(Output);
    }

    /// <summary>The values given (or defaulted) for one invocation.</summary>
    public CliSettings Read(ParseResult parse) => new(
        parse.GetValue(Server) ?? DefaultServer,
        parse.GetValue(Tenant) ?? "default",
        parse.GetValue(Output) switch
        {
            "json" => OutputFormat.Json,
            "yaml" => OutputFormat.Yaml,
            _ => OutputFormat.Table,
        });

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The global option values of one invocation.</summary>
/// <param name="Server">Server URL.</param>
/// <param name="Tenant">Tenant name.</param>
/// <param name="Output">Output format.</param>
internal sealed record CliSettings(string Server, string Tenant, OutputFormat Output);
