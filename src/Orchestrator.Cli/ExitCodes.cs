namespace Orchestrator.Cli;

/// <summary>orch's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for watch: the run succeeded.</summary>
    public const int Success = 0;

    /// <summary>Failed for a reason that is not the input (server down, internal error); for watch: the run did not succeed.</summary>
    public const int Failure = 1;

    /// <summary>The request was wrong: bad flags or YAML, unknown pipeline, refused by validation or quota.</summary>
    public const int BadRequest = 2;

    /// <summary><c>models gates check</c>: the version failed at least one gate (distinct from 1 and 2 so that CI can tell
    /// "not good enough" from "could not check").</summary>
    public const int GatesFailed = 3;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
