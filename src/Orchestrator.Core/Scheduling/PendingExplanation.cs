namespace Orchestrator.Core.Scheduling;

/// <summary>One reason a job still waits.</summary>
public enum PendingReasonKind
{
    /// <summary>The tenant is at its quota and cannot borrow.</summary>
    Quota,

    /// <summary>Jobs ahead of it in the queue (higher priority, fairer share, earlier).</summary>
    QueuedBehind,

    /// <summary>No node (or set of nodes for a gang) has enough free GPUs, CPU or memory of the right model now.</summary>
    Capacity,

    /// <summary>No node in the pool could ever hold it (too big, unknown GPU model, no schedulable node).</summary>
    NeverFits,

    /// <summary>Resources are held for a blocked gang ahead of it and it would delay that gang.</summary>
    Reservation,

    /// <summary>Running jobs are being preempted for it; it starts when they stop.</summary>
    AwaitingPreemption,

    /// <summary>Not in this pool's queue (already placed, finished, or unknown).</summary>
    NotQueued,

    /// <summary>The run waits for whole-run admission: its peak GPUs do not fit its tenant's unreserved quota yet.</summary>
    Admission,
}

/// <summary>A reason with the words a user can act on.</summary>
/// <param name="Kind">Kind.</param>
/// <param name="Message">For example "tenant ml-team uses 16 of 16 GPUs in pool h200".</param>
public sealed record PendingReason(PendingReasonKind Kind, string Message);

/// <summary>Why a job is still pending, and where it stands.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Pool">The pool.</param>
/// <param name="Position">Jobs ahead of it in the pool's order (0 when first).</param>
/// <param name="Reasons">Every reason that holds now, most decisive first.</param>
public sealed record PendingExplanation(string JobId, string Pool, int Position, IReadOnlyList<PendingReason> Reasons);
