using Orchestrator.Cli;

return await OrchCli.RunAsync(args, CliConsole.FromProcess());
