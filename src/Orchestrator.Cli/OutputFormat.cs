namespace Orchestrator.Cli;

/// <summary>How a command prints its result (<c>-o</c>).</summary>
internal enum OutputFormat
{
    /// <summary>Human-readable tables and lines.</summary>
    Table,

    /// <summary>The response message as JSON, proto field names; one document per command (one per line for streams).</summary>
    Json,

    /// <summary>The response message as YAML (for <c>pipeline get</c>: the spec, ready to apply again).</summary>
    Yaml,
}
