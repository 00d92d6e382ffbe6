namespace Orchestrator.Core.Runs;

/// <summary>How a run's steps get their share of the tenant's GPU quota (values equal the proto's <c>Admission</c>).</summary>
public enum AdmissionMode
{
    /// <summary>Each step is judged against the quota when it is ready (the default): a pipeline may stall half-way.</summary>
    Stepwise = 1,

    /// <summary>The run's peak concurrent GPU demand is reserved against the tenant's quota in its pool before its
    /// first step is queued; its steps are within quota up to that reservation.</summary>
    WholeRun = 2,
}
