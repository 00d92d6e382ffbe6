using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Scheduling.Admission;

/// <summary>The most GPUs a run can hold at one time: the heaviest set of its steps of which no two depend on each
/// other (a maximum-weight antichain of the step graph, weighted by GPUs). Whole-pipeline admission reserves this
/// against the tenant's quota before the first step starts, so the pipeline never stalls half-way for quota.</summary>
/// <remarks>By the weighted form of Dilworth's theorem the heaviest antichain equals the total weight minus the
/// largest flow that pairs each unit of a step's weight with a unit of a strict descendant's weight (a path through
/// any steps between them). That flow is computed with Dinic's algorithm on the split graph (2 nodes per step), so
/// the cost is polynomial in the plan's size and no transitive closure is built. Every planned step is counted, as if
/// no <c>when</c> skips it and nothing comes from the cache: admission must hold for every outcome.</remarks>
public static class PeakGpuDemand
{
    /// <summary>The peak concurrent GPU demand of a planned run (the exit handler runs after every other step).</summary>
    public static long Of(RunPlan plan)
    {
        var exit = plan.ExitHandlerIndex;
        var weights = new long[plan.Steps.Count];
        var upstream = new IReadOnlyList<int>[plan.Steps.Count];
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            // A gang holds every replica's GPUs at once.
            weights[i] = (long)step.Definition.Resources.Gpus * step.Definition.Replicas;
            upstream[i] = i == exit ? Enumerable.Range(0, i).ToArray() : step.Upstream;
        }

        return Of(weights, upstream);
    }

    /// <summary>The heaviest antichain of a DAG given each node's weight (≥ 0) and the nodes it depends on.</summary>
    public static long Of(IReadOnlyList<long> weights, IReadOnlyList<IReadOnlyList<int>> upstream)
    {
        var n = weights.Count;
        if (upstream.Count != n) throw new ArgumentException("upstream must have one entry per node", nameof(upstream));
        long total = 0;
        var weighted = 0;
        for (var i = 0; i < n; i++)
        {
            if (weights[i] < 0) throw new ArgumentOutOfRangeException(nameof(weights), $"weights[{i}] is negative");
            total += weights[i];
            if (weights[i] > 0) weighted++;
        }

        // Fewer than two weighted nodes: nothing to pair.
        if (weighted < 2) return total;

        // Node layout: source, sink, then in(i) = 2 + 2i, out(i) = 3 + 2i.
        var flow = new MaxFlow(2 + 2 * n);
        const int source = 0, sink = 1;
        for (var i = 0; i < n; i++)
        {
            int inNode = 2 + 2 * i, outNode = 3 + 2 * i;
            if (weights[i] > 0)
            {
                flow.AddEdge(source, outNode, weights[i]);   // i offers its weight to its descendants
                flow.AddEdge(inNode, sink, weights[i]);      // i takes weight from its ancestors
            }

            flow.AddEdge(inNode, outNode, long.MaxValue);   // a path may pass through i to i's descendants
            foreach (var u in upstream[i])
            {
                if ((uint)u >= (uint)n) throw new ArgumentOutOfRangeException(nameof(upstream), $"upstream[{i}] names node {u}, which does not exist");
                flow.AddEdge(3 + 2 * u, inNode, long.MaxValue);
            }
        }

        return total - flow.Run(source, sink);
    }

    /// <summary>Dinic's maximum flow on an adjacency list of edge indices.</summary>
    private sealed class MaxFlow(int nodes)
    {
        private readonly List<int>[] _adjacent = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();
        private readonly List<int> _to = [];
        private readonly List<long> _capacity = [];
        private readonly int[] _level = new int[nodes];
        private readonly int[] _next = new int[nodes];

        public void AddEdge(int from, int to, long capacity)
        {
            _adjacent[from].Add(_to.Count);
            _to.Add(to);
            _capacity.Add(capacity);
            _adjacent[to].Add(_to.Count);
            _to.Add(from);
            _capacity.Add(0);
        }

        public long Run(int source, int sink)
        {
            long total = 0;
            while (BuildLevels(source, sink))
            {
                Array.Clear(_next);
                total += BlockingFlow(source, sink);
            }

            return total;
        }

        private bool BuildLevels(int source, int sink)
        {
            Array.Fill(_level, -1);
            var queue = new Queue<int>();
            _level[source] = 0;
            queue.Enqueue(source);
            while (queue.TryDequeue(out var node))
            {
                foreach (var edge in _adjacent[node])
                {
                    if (_capacity[edge] <= 0 || _level[_to[edge]] >= 0) continue;
                    _level[_to[edge]] = _level[node] + 1;
                    queue.Enqueue(_to[edge]);
                }
            }

            return _level[sink] >= 0;
        }

        /// <summary>Augmenting paths in the level graph, walked with an explicit stack: a path can be as long as the
        /// plan (10,000 steps), too deep to recurse on a thread-pool stack.</summary>
        private long BlockingFlow(int source, int sink)
        {
            long total = 0;
            var path = new List<int>();
            var node = source;
            while (true)
            {
                if (node == sink)
                {
                    var pushed = long.MaxValue;
                    foreach (var edge in path) pushed = Math.Min(pushed, _capacity[edge]);
                    foreach (var edge in path)
                    {
                        if (_capacity[edge] != long.MaxValue) _capacity[edge] -= pushed;
                        _capacity[edge ^ 1] += pushed;
                    }

                    total += pushed;
                    path.Clear();
                    node = source;
                    continue;
                }

                var advanced = false;
                for (; _next[node] < _adjacent[node].Count; _next[node]++)
                {
                    var edge = _adjacent[node][_next[node]];
                    if (_capacity[edge] <= 0 || _level[_to[edge]] != _level[node] + 1) continue;
                    path.Add(edge);
                    node = _to[edge];
                    advanced = true;
                    break;
                }

                if (advanced) continue;
                if (node == source) return total;
                // A dead end: retreat one edge and never try this node again in this phase.
                _level[node] = -1;
                var back = path[^1];
                path.RemoveAt(path.Count - 1);
                node = _to[back ^ 1];
                _next[node]++;
            }
        }
    }
}
