using Orchestrator.Agent;

return await AgentCommandLine.Build().Parse(args).InvokeAsync();
