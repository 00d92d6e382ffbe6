using System.Text;
using Orchestrator.Contracts.V1;

namespace Orchestrator.EndToEnd.Tests.Harness;

/// <summary>Reads a step attempt's log through StreamLogs.</summary>
internal static class Logs
{
    public static async Task<string> ReadAsync(RunService.RunServiceClient runs, string runId, string step, int attempt = 0, int replica = 0)
    {
        using var call = runs.StreamLogs(new StreamLogsRequest { RunId = runId, StepKey = step, Attempt = attempt, Replica = replica });
        var text = new StringBuilder();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) text.Append(call.ResponseStream.Current.Data.ToStringUtf8());
        return text.ToString();
    }
}
