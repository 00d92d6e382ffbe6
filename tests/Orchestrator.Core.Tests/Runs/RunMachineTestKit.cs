using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Tests.Runs;

/// <summary>Builds runs from small specs and drives them the way the run grain does: decide, then apply.</summary>
internal sealed class RunMachineTestKit
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public RunMachineTestKit(PipelineSpec spec, IReadOnlyDictionary<string, string>? arguments = null, bool cacheDisabled = false)
    {
        var definition = PipelineValidator.Validate(spec);
        Machine = new RunMachine("run-0000000000000001", RunPlanner.Plan(definition, arguments ?? new Dictionary<string, string>()), cacheDisabled);
        Now = T0;
        Commit(Machine.Submit("user:test", Now));
    }

    public RunMachine Machine { get; private set; }

    public DateTimeOffset Now { get; set; }

    public List<RunEvent> Log { get; } = [];

    public static StepSpec Step(string name, params string[] after) => new()
    {
        Name = name, Command = ["true"], After = after,
    };

    public static PipelineSpec Spec(params StepSpec[] steps) => new() { Name = "test", Steps = steps };

    public StepRuntime this[string key] => Machine.Find(key) ?? throw new KeyNotFoundException(key);

    /// <summary>Numbers and applies events, like the grain after it persisted them.</summary>
    public void Commit(IEnumerable<RunEvent> events)
    {
        foreach (var e in events)
        {
            var numbered = e with { Revision = Machine.Revision + 1 };
            Machine.Apply(numbered);
            Log.Add(numbered);
        }
    }

    /// <summary>Activates everything activatable (no cache hits) and finishes the run when all is done.</summary>
    public void Advance()
    {
        while (true)
        {
            var batch = Machine.DrainActivatable();
            var due = Machine.DueRetries(Now);
            if (batch.Count == 0 && due.Count == 0) break;
            var events = batch.Select(i => Machine.ActivationEvent(i, Machine.Decide(i), "system", Now)).ToList();
            events.AddRange(due.Select(i => Machine.RetryNow(i, Now)));
            Commit(events);
        }

        if (Machine.TryFinish(Now) is { } finished) Commit([finished]);
    }

    public void Place(string key, string node = "node-1", params int[] gpus)
    {
        var t = Machine.OnPlaced(key, this[key].Attempt, node, gpus, Now);
        Assert.Equal(TransitionDisposition.Applied, t.Disposition);
        Commit(t.Events);
    }

    public void Start(string key)
    {
        var t = Machine.OnStarted(key, this[key].Attempt, this[key].Node!, Now);
        Assert.Equal(TransitionDisposition.Applied, t.Disposition);
        Commit(t.Events);
    }

    public void Finish(string key, AttemptOutcome outcome = AttemptOutcome.Succeeded, int exitCode = 0, params StepOutput[] outputs)
    {
        var t = Machine.OnFinished(key, this[key].Attempt, outcome, exitCode, null, outputs, this[key].Node ?? "node-1", Now);
        Assert.Equal(TransitionDisposition.Applied, t.Disposition);
        Commit(t.Events);
        Advance();
    }

    /// <summary>Places, starts and finishes a ready step.</summary>
    public void Run(string key, AttemptOutcome outcome = AttemptOutcome.Succeeded, params StepOutput[] outputs)
    {
        Place(key);
        Start(key);
        Finish(key, outcome, outcome == AttemptOutcome.Succeeded ? 0 : 1, outputs);
    }

    /// <summary>A fresh machine with the same plan that replays every event.</summary>
    public RunMachine Replay()
    {
        var copy = new RunMachine(Machine.RunId, Machine.Plan, Machine.CacheDisabled);
        foreach (var e in Log) copy.Apply(e);
        return copy;
    }
}
