using Orchestrator.Gateway.Hosting;
using Orchestrator.Server.Hosting;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(ServerSwitches.Help);
    return 0;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, ServerSwitches.Mappings);
var settings = builder.AddOrchestratorServer();

var app = builder.Build();
app.MapOrchestratorGateway(settings.GrpcPort, settings.HttpPort);
await app.RunAsync();
return 0;
