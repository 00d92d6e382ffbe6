namespace Orchestrator.Execution.Processes;

/// <summary>Names of the Linux signals a step process is commonly ended by.</summary>
public static class UnixSignals
{
    /// <summary>Polite stop request.</summary>
    public const int Term = 15;

    /// <summary>Cannot be caught or ignored.</summary>
    public const int Kill = 9;

    /// <summary>"SIGKILL" for 9, "signal 42" for one without a common name.</summary>
    public static string Name(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        _ => $"signal {signal}",
    };

    /// <summary>The signal behind an exit code as .NET and shells report it (128 + N), or null for a normal exit.</summary>
    /// <remarks>A process that calls <c>exit(137)</c> itself reads the same as one killed by SIGKILL; no portable API tells them apart.</remarks>
    public static int? FromExitCode(int exitCode) => exitCode is > 128 and <= 128 + 64 ? exitCode - 128 : null;
}
