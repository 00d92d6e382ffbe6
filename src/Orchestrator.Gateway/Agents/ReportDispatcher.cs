using Microsoft.Extensions.Logging;
using Orchestrator.Contracts.V1;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Gateway.Agents;

/// <summary>Delivers one agent's step reports to their run grains: in order per run, runs in parallel, and whatever
/// piles up for a run while its previous call is in flight goes in one batch (one journal append in the grain).
/// The read loop never waits for a run, so heartbeats keep flowing while a busy run catches up.</summary>
public sealed partial class ReportDispatcher(IGrainFactory grains, AgentConnection connection, Action<Exception> fail, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<(AgentReport Report, long ReportId)>> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);

    /// <summary>Queues a report; it is acknowledged to the agent once its run has recorded it.</summary>
    public void Post(string runId, AgentReport report, long reportId)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(runId, out var list)) _pending[runId] = list = [];
            list.Add((report, reportId));
            if (!_busy.Add(runId)) return;
        }

        _ = PumpAsync(runId);
    }

    private async Task PumpAsync(string runId)
    {
        while (true)
        {
            List<(AgentReport Report, long ReportId)> batch;
            lock (_gate)
            {
                if (!_pending.Remove(runId, out batch!) || batch.Count == 0)
                {
                    _busy.Remove(runId);
                    return;
                }
            }

            try
            {
                await grains.GetGrain<IRunGrain>(runId).ReportAsync([.. batch.Select(b => b.Report)]);
                foreach (var (_, reportId) in batch) connection.Send(new ControlMessage { Ack = new Ack { ReportId = reportId } });
            }
            catch (Exception e)
            {
                // Unacknowledged reports stay in the agent's outbox; dropping the stream makes it reconnect and resend.
                LogReportFailed(e, runId, batch.Count);
                lock (_gate) _busy.Remove(runId);
                fail(e);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} report(s) for run {RunId}; the agent will resend them")]
    private partial void LogReportFailed(Exception e, string runId, int count);
}
