namespace Orchestrator.Cli;

/// <summary>Input the user gave orch was wrong (a flag value, a file); shown as <c>error: …</c> with exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>Something failed that is not the user's input (a stream that kept breaking); shown as <c>error: …</c> with exit code 1.</summary>
internal sealed class CliFailureException(string message) : Exception(message);
