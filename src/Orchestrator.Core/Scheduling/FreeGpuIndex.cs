namespace Orchestrator.Core.Scheduling;

/// <summary>Schedulable nodes bucketed by free GPU count, per GPU model and for all models together ("" key). GPUs per
/// node are few, so a request scans a handful of buckets and, within a bucket, stops at the first node that fits:
/// the cost of a lookup does not grow with the number of nodes.</summary>
internal sealed class FreeGpuIndex
{
    private static readonly IComparer<NodeState> ByName = Comparer<NodeState>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name));
    private readonly Dictionary<string, Buckets> _byModel = new(StringComparer.Ordinal);

    public void Add(NodeState node)
    {
        if (node.IndexedFree >= 0) Remove(node);
        node.IndexedFree = node.FreeGpus;
        For("", create: true)!.Add(node);
        if (node.ModelKey.Length > 0) For(node.ModelKey, create: true)!.Add(node);
    }

    public void Remove(NodeState node)
    {
        if (node.IndexedFree < 0) return;
        For("", create: false)?.Remove(node);
        if (node.ModelKey.Length > 0) For(node.ModelKey, create: false)?.Remove(node);
        node.IndexedFree = -1;
    }

    /// <summary>The buckets of a model key ("" for all nodes); null when no node of that model is indexed.</summary>
    public Buckets? For(string modelKey) => For(modelKey, create: false);

    private Buckets? For(string modelKey, bool create)
    {
        if (_byModel.TryGetValue(modelKey, out var buckets)) return buckets;
        if (!create) return null;
        return _byModel[modelKey] = new Buckets();
    }

    /// <summary>Nodes of one model by free GPU count.</summary>
    public sealed class Buckets
    {
        private readonly List<SortedSet<NodeState>> _byFree = [];

        /// <summary>Highest bucket index that may be non-empty.</summary>
        public int Top => _byFree.Count - 1;

        /// <summary>Free GPUs over every node in these buckets.</summary>
        public int FreeGpus { get; private set; }

        public int Nodes { get; private set; }

        public SortedSet<NodeState> At(int free) => _byFree[free];

        /// <summary>The node with the most free GPUs, or null.</summary>
        public NodeState? Largest()
        {
            for (var free = Top; free >= 0; free--)
            {
                if (_byFree[free].Count > 0) return _byFree[free].Min;
            }

            return null;
        }

        internal void Add(NodeState node)
        {
            while (_byFree.Count <= node.IndexedFree) _byFree.Add(new SortedSet<NodeState>(ByName));
            _byFree[node.IndexedFree].Add(node);
            FreeGpus += node.IndexedFree;
            Nodes++;
        }

        internal void Remove(NodeState node)
        {
            if (!_byFree[node.IndexedFree].Remove(node)) return;
            FreeGpus -= node.IndexedFree;
            Nodes--;
        }
    }
}
