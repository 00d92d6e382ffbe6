using System.Runtime.Versioning;

// Process groups, signals and /proc: these tests exercise the Linux agent.
[assembly: SupportedOSPlatform("linux")]
