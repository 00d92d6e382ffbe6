namespace Orchestrator.Core.Retraining;

/// <summary>The cluster-wide limits on retraining: concurrent runs in total and per tenant, and a rate.</summary>
/// <param name="MaxConcurrent">Retraining runs at once, all tenants together.</param>
/// <param name="MaxConcurrentPerTenant">Retraining runs at once per tenant.</param>
/// <param name="PerMinute">Retraining runs started per minute (a token bucket refilled at this rate).</param>
/// <param name="Burst">Starts allowed at once after a quiet spell (the bucket's size).</param>
public sealed record RetrainingBudgetSpec(int MaxConcurrent = 10, int MaxConcurrentPerTenant = 4, double PerMinute = 30, int Burst = 10)
{
    /// <summary>What is wrong with the limits, each naming the field; empty when valid.</summary>
    public IReadOnlyList<Pipelines.ValidationError> Validate(string path = "retraining_budget")
    {
        var errors = new List<Pipelines.ValidationError>();
        if (MaxConcurrent < 1) errors.Add(new($"{path}.max_concurrent", $"must be at least 1, got {MaxConcurrent}"));
        if (MaxConcurrentPerTenant < 1) errors.Add(new($"{path}.max_concurrent_per_tenant", $"must be at least 1, got {MaxConcurrentPerTenant}"));
        if (!(PerMinute > 0) || double.IsInfinity(PerMinute)) errors.Add(new($"{path}.per_minute", $"must be a positive number of starts per minute, got {PerMinute}"));
        if (Burst < 1) errors.Add(new($"{path}.burst", $"must be at least 1, got {Burst}"));
        return errors;
    }
}

/// <summary>The budget's answer to a model's request.</summary>
/// <param name="Granted">It may submit its retraining run now.</param>
/// <param name="Position">Its place in the waiting queue (1 = next), 0 when granted.</param>
/// <param name="Reason">Why it waits, in words.</param>
public sealed record BudgetAnswer(bool Granted, int Position, string Reason);

/// <summary>The cluster-wide retraining budget: grants retraining runs within the concurrency limits and the rate, and
/// keeps the rest in a fair queue, so that a storm of drifting models never takes the cluster from ordinary work.</summary>
/// <remarks>
/// Fairness: the next grant goes to the tenant with the fewest retraining runs holding the budget (ties: the tenant
/// whose oldest request waited longest), and within a tenant first come first served; a tenant at its own limit is
/// skipped, not allowed to block others. A model asks at most once: asking again while waiting or granted answers its
/// current standing. Pure: every call carries its time.
/// </remarks>
public sealed class RetrainingBudget
{
    private readonly Dictionary<string, string> _granted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _runningByTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedList<(string Model, DateTimeOffset Since)>> _waitingByTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedListNode<(string Model, DateTimeOffset Since)>> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tenantOf = new(StringComparer.Ordinal);
    /// <summary>Refills are computed in floating point: a token due at a time is granted at that time, not a tick later.</summary>
    private const double Epsilon = 1e-9;
    private double _tokens;
    private DateTimeOffset _refilled;

    /// <summary>A budget with a full bucket at <paramref name="now"/>.</summary>
    public RetrainingBudget(RetrainingBudgetSpec spec, DateTimeOffset now)
    {
        Spec = spec;
        _tokens = spec.Burst;
        _refilled = now;
    }

    /// <summary>A budget restored after a restart: <paramref name="granted"/> (model, tenant) hold it again; the token
    /// bucket starts full, and the waiting queue is rebuilt as models ask again.</summary>
    public RetrainingBudget(RetrainingBudgetSpec spec, DateTimeOffset now, IEnumerable<KeyValuePair<string, string>> granted) : this(spec, now)
    {
        foreach (var (model, tenant) in granted)
        {
            if (!_granted.TryAdd(model, tenant)) continue;
            _runningByTenant[tenant] = _runningByTenant.GetValueOrDefault(tenant) + 1;
        }
    }

    /// <summary>The limits.</summary>
    public RetrainingBudgetSpec Spec { get; private set; }

    /// <summary>Models waiting, in the order they would be granted if only the rate held them back, with their tenant
    /// and since when they wait.</summary>
    public IEnumerable<(string Model, string Tenant, DateTimeOffset Since)> WaitingModels =>
        Order().Select(m => (m, _tenantOf[m], _waiting[m].Value.Since));

    /// <summary>Models holding the budget (their retraining runs), by model.</summary>
    public IReadOnlyDictionary<string, string> Granted => _granted;

    /// <summary>Models waiting.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Asks for a retraining run of <paramref name="model"/> for <paramref name="tenant"/>.</summary>
    public BudgetAnswer Request(string model, string tenant, DateTimeOffset now)
    {
        if (_granted.ContainsKey(model)) return new BudgetAnswer(true, 0, "");
        if (!_waiting.ContainsKey(model))
        {
            if (!_waitingByTenant.TryGetValue(tenant, out var queue)) _waitingByTenant[tenant] = queue = new();
            _waiting[model] = queue.AddLast((model, now));
            _tenantOf[model] = tenant;
        }

        Grant(now);
        return Answer(model, now);
    }

    /// <summary>The model's retraining run ended (or its request is withdrawn): frees its place and grants whom it can.
    /// Returns the models granted now, in grant order.</summary>
    public IReadOnlyList<string> Release(string model, DateTimeOffset now)
    {
        if (_granted.Remove(model, out var tenant))
        {
            var left = _runningByTenant[tenant] - 1;
            if (left == 0) _runningByTenant.Remove(tenant); else _runningByTenant[tenant] = left;
        }
        else if (_waiting.Remove(model, out var node))
        {
            var queue = node.List!;
            queue.Remove(node);
            if (queue.Count == 0) _waitingByTenant.Remove(_tenantOf[model]);
        }

        _tenantOf.Remove(model);
        return Grant(now);
    }

    /// <summary>Time passed (the rate's bucket refilled): grants whom it can, in grant order.</summary>
    public IReadOnlyList<string> Tick(DateTimeOffset now) => Grant(now);

    /// <summary>Changes the limits; grants whom the new ones allow.</summary>
    public IReadOnlyList<string> Configure(RetrainingBudgetSpec spec, DateTimeOffset now)
    {
        Refill(now);
        Spec = spec;
        _tokens = Math.Min(_tokens, spec.Burst);
        return Grant(now);
    }

    /// <summary>When the next token arrives while someone waits only for the rate; null otherwise.</summary>
    public DateTimeOffset? NextWakeUp(DateTimeOffset now)
    {
        if (_waiting.Count == 0 || _granted.Count >= Spec.MaxConcurrent) return null;
        Refill(now);
        if (_tokens >= 1 - Epsilon) return null;
        return now + TimeSpan.FromMinutes((1 - _tokens) / Spec.PerMinute);
    }

    /// <summary>Where a model stands.</summary>
    public BudgetAnswer Answer(string model, DateTimeOffset now)
    {
        if (_granted.ContainsKey(model)) return new BudgetAnswer(true, 0, "");
        if (!_waiting.TryGetValue(model, out var node)) return new BudgetAnswer(false, 0, "not asked for");
        var position = Order().TakeWhile(m => m != model).Count() + 1;
        var tenant = _tenantOf[model];
        string reason;
        if (_granted.Count >= Spec.MaxConcurrent)
            reason = $"{_granted.Count} of {Spec.MaxConcurrent} retraining runs of the cluster are running";
        else if (_runningByTenant.GetValueOrDefault(tenant) >= Spec.MaxConcurrentPerTenant)
            reason = $"tenant {tenant} runs {_runningByTenant[tenant]} of its {Spec.MaxConcurrentPerTenant} retraining runs";
        else
            reason = FormattableString.Invariant($"the retraining rate ({Spec.PerMinute:G4}/min) is used up; the next start is possible at {NextWakeUp(now):u}");
        return new BudgetAnswer(false, position, FormattableString.Invariant($"waiting since {node.Value.Since:u}, {position} in line: {reason}"));
    }

    private IReadOnlyList<string> Grant(DateTimeOffset now)
    {
        Refill(now);
        var granted = new List<string>();
        while (_tokens >= 1 - Epsilon && _granted.Count < Spec.MaxConcurrent && Next() is { } node)
        {
            var (model, _) = node.Value;
            var tenant = _tenantOf[model];
            var queue = node.List!;
            queue.Remove(node);
            if (queue.Count == 0) _waitingByTenant.Remove(tenant);
            _waiting.Remove(model);
            _granted[model] = tenant;
            _runningByTenant[tenant] = _runningByTenant.GetValueOrDefault(tenant) + 1;
            _tokens = Math.Max(0, _tokens - 1);
            granted.Add(model);
        }

        return granted;
    }

    /// <summary>The head of the tenant that has the fewest runs and is under its limit (ties: the longest wait).</summary>
    private LinkedListNode<(string Model, DateTimeOffset Since)>? Next()
    {
        LinkedListNode<(string Model, DateTimeOffset Since)>? best = null;
        var bestRunning = int.MaxValue;
        foreach (var (tenant, queue) in _waitingByTenant)
        {
            var running = _runningByTenant.GetValueOrDefault(tenant);
            if (running >= Spec.MaxConcurrentPerTenant) continue;
            var head = queue.First!;
            if (running < bestRunning || (running == bestRunning && head.Value.Since < best!.Value.Since))
                (best, bestRunning) = (head, running);
        }

        return best;
    }

    /// <summary>The waiting models in the order they would be granted if only the rate held them back.</summary>
    private IEnumerable<string> Order()
    {
        var running = new Dictionary<string, int>(_runningByTenant, StringComparer.Ordinal);
        var heads = _waitingByTenant.ToDictionary(p => p.Key, p => p.Value.First, StringComparer.Ordinal);
        while (true)
        {
            string? pick = null;
            foreach (var (tenant, head) in heads)
            {
                if (head is null) continue;
                var r = running.GetValueOrDefault(tenant);
                if (pick is null || r < running.GetValueOrDefault(pick) || (r == running.GetValueOrDefault(pick) && head.Value.Since < heads[pick]!.Value.Since)) pick = tenant;
            }

            if (pick is null) yield break;
            yield return heads[pick]!.Value.Model;
            heads[pick] = heads[pick]!.Next;
            running[pick] = running.GetValueOrDefault(pick) + 1;
        }
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _refilled) return;
        _tokens = Math.Min(Spec.Burst, _tokens + (now - _refilled).TotalMinutes * Spec.PerMinute);
        _refilled = now;
    }
}
