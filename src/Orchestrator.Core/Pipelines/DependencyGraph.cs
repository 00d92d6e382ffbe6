namespace Orchestrator.Core.Pipelines;

/// <summary>Orders the steps of a DAG and, when it is not one, finds its cycles.</summary>
internal static class DependencyGraph
{
    /// <summary>
    /// A stable topological order (the lowest declaration index among ready steps first) of the steps that are not
    /// on or behind a cycle, and one shortest cycle per strongly connected component, each listed in data-flow order
    /// (every step runs before the next) starting from its lowest index.
    /// </summary>
    /// <param name="dependencies">For each step, the indices of the distinct steps it depends on.</param>
    public static (List<int> Order, List<List<int>> Cycles) Sort(IReadOnlyList<IReadOnlyCollection<int>> dependencies)
    {
        var count = dependencies.Count;
        var dependents = new List<int>[count];
        var waitingFor = new int[count];
        for (var i = 0; i < count; i++) dependents[i] = [];
        for (var i = 0; i < count; i++)
        {
            foreach (var dependency in dependencies[i])
            {
                dependents[dependency].Add(i);
                waitingFor[i]++;
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < count; i++)
        {
            if (waitingFor[i] == 0) ready.Enqueue(i, i);
        }

        var order = new List<int>(count);
        while (ready.TryDequeue(out var step, out _))
        {
            order.Add(step);
            foreach (var dependent in dependents[step])
            {
                if (--waitingFor[dependent] == 0) ready.Enqueue(dependent, dependent);
            }
        }

        var cycles = new List<List<int>>();
        if (order.Count == count) return (order, cycles);

        var blocked = new bool[count];
        for (var i = 0; i < count; i++) blocked[i] = waitingFor[i] > 0;
        foreach (var component in StronglyConnectedComponents(dependents, blocked))
        {
            if (component.Count > 1) cycles.Add(ShortestCycle(component, dependents));
        }

        cycles.Sort((a, b) => a[0].CompareTo(b[0]));
        return (order, cycles);
    }

    // Tarjan's algorithm, iterative so that a 10,000-step chain cannot overflow the stack.
    private static List<List<int>> StronglyConnectedComponents(List<int>[] dependents, bool[] included)
    {
        var count = dependents.Length;
        var index = new int[count];
        var low = new int[count];
        var onStack = new bool[count];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var components = new List<List<int>>();
        var counter = 0;
        for (var start = 0; start < count; start++)
        {
            if (!included[start] || index[start] != -1) continue;
            var work = new Stack<(int Node, int Edge)>();
            Visit(start);
            work.Push((start, 0));
            while (work.Count > 0)
            {
                var (node, edge) = work.Pop();
                var edges = dependents[node];
                var descended = false;
                while (edge < edges.Count)
                {
                    var next = edges[edge++];
                    if (!included[next]) continue;
                    if (index[next] == -1)
                    {
                        work.Push((node, edge));
                        Visit(next);
                        work.Push((next, 0));
                        descended = true;
                        break;
                    }

                    if (onStack[next]) low[node] = Math.Min(low[node], index[next]);
                }

                if (descended) continue;
                if (low[node] == index[node])
                {
                    var component = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component.Add(member);
                    }
                    while (member != node);
                    components.Add(component);
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }

        return components;

        void Visit(int node)
        {
            index[node] = low[node] = counter++;
            stack.Push(node);
            onStack[node] = true;
        }
    }

    // Breadth-first from the component's lowest index back to itself: the shortest cycle through it.
    private static List<int> ShortestCycle(List<int> component, List<int>[] dependents)
    {
        var members = component.ToHashSet();
        var start = component.Min();
        var parent = new Dictionary<int, int> { [start] = -1 };
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in dependents[node].Where(members.Contains).Order())
            {
                if (next == start)
                {
                    var cycle = new List<int>();
                    for (var at = node; at != -1; at = parent[at]) cycle.Add(at);
                    cycle.Reverse();
                    return cycle;
                }

                if (parent.TryAdd(next, node)) queue.Enqueue(next);
            }
        }

        throw new InvalidOperationException("a strongly connected component without a cycle");
    }
}
