namespace Orchestrator.LoadTests;

/// <summary>Bad arguments or set-up the user can fix; the message names the option and the fix (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
