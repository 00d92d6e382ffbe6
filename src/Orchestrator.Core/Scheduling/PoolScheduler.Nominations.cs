namespace Orchestrator.Core.Scheduling;

/// <summary>Nominations: the GPUs of a preempted job's victims (and the free GPUs the plan uses beside them) are held
/// for the job, so nobody else takes them, until it is placed or leaves the queue.</summary>
public sealed partial class PoolScheduler
{
    private int _nominated;

    private void Nominate(WaitingJob job, IEnumerable<RunningJob> victims, IEnumerable<(NodeState Node, int Gpus)> holds)
    {
        var nomination = new Nomination();
        foreach (var victim in victims) nomination.Victims.Add(victim.Id);
        foreach (var (node, gpus) in holds)
        {
            _index.Remove(node);
            var held = 0;
            for (var i = 0; i < node.Spec.GpuCount && held < gpus; i++)
            {
                if (node.HeldFor[i] is not null) continue;
                var holder = node.Holder[i];
                if (holder is null || nomination.Victims.Contains(holder))
                {
                    node.HeldFor[i] = job.Id;
                    held++;
                }
            }

            node.Recount();
            nomination.Nodes.Add(node);
            if (node.Schedulable) _index.Add(node);
        }

        job.Nomination = nomination;
        _nominated++;
    }

    /// <summary>Frees the job's held GPUs that no victim still holds, for a planning attempt; returns them.</summary>
    private List<(NodeState Node, int Gpu)> Unhold(WaitingJob job)
    {
        var unheld = new List<(NodeState, int)>();
        foreach (var node in job.Nomination!.Nodes)
        {
            _index.Remove(node);
            for (var i = 0; i < node.HeldFor.Length; i++)
            {
                if (node.HeldFor[i] != job.Id || node.Holder[i] is not null) continue;
                node.HeldFor[i] = null;
                unheld.Add((node, i));
            }

            node.Recount();
            if (node.Schedulable) _index.Add(node);
        }

        return unheld;
    }

    private void Rehold(WaitingJob job, List<(NodeState Node, int Gpu)> unheld)
    {
        foreach (var group in unheld.GroupBy(u => u.Node))
        {
            var node = group.Key;
            _index.Remove(node);
            foreach (var (_, gpu) in group)
            {
                if (node.Holder[gpu] is null && node.HeldFor[gpu] is null) node.HeldFor[gpu] = job.Id;
            }

            node.Recount();
            if (node.Schedulable) _index.Add(node);
        }
    }

    /// <summary>Lets go of everything held for the job (placed, dequeued, or its victims are gone and it still does not fit).</summary>
    private void DropNomination(WaitingJob job)
    {
        if (job.Nomination is not { } nomination) return;
        foreach (var node in nomination.Nodes)
        {
            _index.Remove(node);
            for (var i = 0; i < node.HeldFor.Length; i++)
            {
                if (node.HeldFor[i] == job.Id) node.HeldFor[i] = null;
            }

            node.Recount();
            if (node.Schedulable && _nodes.ContainsKey(node.Name)) _index.Add(node);
        }

        foreach (var victim in nomination.Victims)
        {
            if (_running.TryGetValue(victim, out var running) && running.PreemptedFor == job.Id) running.PreemptedFor = "";
        }

        job.Nomination = null;
        _nominated--;
    }
}
