using Orchestrator.LoadTests;
using Orchestrator.LoadTests.Hosting;

// The shared ArrayPool and gen0 settings are read once at start-up: start again with them when they are missing.
if (await LoadGeneratorEnvironment.RestartWithSettingsIfMissingAsync(args) is { } childExitCode) return childExitCode;
return await LoadTestCli.RunAsync(args);
