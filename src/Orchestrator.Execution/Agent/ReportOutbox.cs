using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Agent;

/// <summary>Step reports the control plane has not acknowledged yet, in the order they were made; not thread-safe.</summary>
internal sealed class ReportOutbox
{
    private readonly SortedDictionary<long, AgentMessage> _reports = [];

    /// <summary>Unacknowledged reports.</summary>
    public int Count => _reports.Count;

    /// <summary>The reports in the order they must be (re)sent.</summary>
    public IEnumerable<AgentMessage> InOrder => _reports.Values;

    /// <summary>Keeps a report until it is acknowledged.</summary>
    public void Add(long reportId, AgentMessage report) => _reports.Add(reportId, report);

    /// <summary>Drops an acknowledged report; false when it was not here (acknowledged twice, or never sent).</summary>
    public bool Remove(long reportId, out AgentMessage? report) => _reports.Remove(reportId, out report);
}
