using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using static Orchestrator.Core.Tests.Runs.RunMachineTestKit;

namespace Orchestrator.Core.Tests.Runs;

/// <summary>The run state machine: step and run transitions, retries, infrastructure failures, cancel, retry from
/// failure, stale reports, and that replaying the events rebuilds the same state.</summary>
public sealed class RunMachineTests
{
    [Fact]
    public void LinearRun_GoesThroughEveryStateInOrder_AndSucceeds()
    {
        var kit = new RunMachineTestKit(Spec(Step("a"), Step("b", "a"), Step("c", "b")));
        kit.Advance();
        Assert.Equal(StepState.Ready, kit["a"].State);
        Assert.Equal(StepState.Waiting, kit["b"].State);
        Assert.Equal(RunState.Pending, kit.Machine.State);

        kit.Place("a", "node-1", 0);
        Assert.Equal(RunState.Running, kit.Machine.State);
        Assert.Equal(StepState.Placed, kit["a"].State);
        kit.Start("a");
        Assert.Equal(StepState.Running, kit["a"].State);
        kit.Finish("a");
        Assert.Equal(StepState.Succeeded, kit["a"].State);
        Assert.Equal(StepState.Ready, kit["b"].State);

        kit.Run("b");
        kit.Run("c");
        Assert.Equal(RunState.Succeeded, kit.Machine.State);
        Assert.Equal(
            ["RunSubmitted", "StepReady", "RunStarted", "StepPlaced", "StepStarted", "StepSucceeded", "StepReady"],
            kit.Log.Take(7).Select(e => e.Type.ToString()));
        Assert.Equal(RunEventType.RunFinished, kit.Log[^1].Type);
        Assert.Equal(Enumerable.Range(1, kit.Log.Count).Select(i => (long)i), kit.Log.Select(e => e.Revision));
    }

    [Fact]
    public void FailedAttempt_WithRetriesLeft_WaitsForItsBackoff_ThenRunsAsANewAttempt()
    {
        var step = Step("a") with { Retry = new RetrySpec { Limit = 2, Backoff = "10s", Factor = 3 } };
        var kit = new RunMachineTestKit(Spec(step));
        kit.Advance();
        kit.Place("a");
        kit.Start("a");
        kit.Finish("a", AttemptOutcome.Failed, exitCode: 3);

        var a = kit["a"];
        Assert.Equal(StepState.Waiting, a.State);
        Assert.Equal(T0.AddSeconds(10), a.RetryAt);
        Assert.Equal(1, a.UserFailures);
        Assert.Empty(kit.Machine.DueRetries(T0.AddSeconds(9)));

        kit.Now = T0.AddSeconds(10);
        kit.Advance();
        Assert.Equal(StepState.Ready, a.State);
        Assert.Equal(2, a.Attempt);

        kit.Place("a");
        kit.Start("a");
        kit.Finish("a", AttemptOutcome.Failed, exitCode: 3);
        Assert.Equal(kit.Now.AddSeconds(30), a.RetryAt);
        kit.Now = a.RetryAt!.Value;
        kit.Advance();
        kit.Place("a");
        kit.Start("a");
        kit.Finish("a", AttemptOutcome.Failed, exitCode: 3);

        Assert.Equal(StepState.Failed, a.State);
        Assert.Equal(RunState.Failed, kit.Machine.State);
        Assert.Equal(3, a.Attempts.Count);
        Assert.All(a.Attempts, x => Assert.Equal(3, x.ExitCode));
        Assert.Contains("exited with code 3", kit.Machine.Message);
    }

    [Fact]
    public void LostAttempts_AreRetriedAtOnce_WithoutUsingTheRetryBudget()
    {
        var kit = new RunMachineTestKit(Spec(Step("a")));
        kit.Advance();
        for (var i = 1; i <= 3; i++)
        {
            kit.Place("a");
            kit.Start("a");
            var lost = kit.Machine.OnLost("a", i, "node node-1 lost", kit.Now);
            Assert.Equal(TransitionDisposition.Applied, lost.Disposition);
            kit.Commit(lost.Events);
            Assert.True(lost.Events[0].Infrastructure);
            kit.Advance();
            Assert.Equal(StepState.Ready, kit["a"].State);
        }

        Assert.Equal(0, kit["a"].UserFailures);
        Assert.Equal(3, kit["a"].InfraFailures);
        kit.Run("a");
        Assert.Equal(RunState.Succeeded, kit.Machine.State);
        Assert.Equal(4, kit["a"].Attempts.Count);
    }

    [Fact]
    public void InfrastructureFailures_BeyondTheirLimit_FailTheStep()
    {
        var kit = new RunMachineTestKit(Spec(Step("a")));
        kit.Advance();
        for (var i = 1; i <= RunMachine.MaxInfrastructureRetries + 1; i++)
        {
            kit.Place("a");
            kit.Commit(kit.Machine.OnLost("a", i, "agent gone", kit.Now).Events);
            kit.Advance();
        }

        Assert.Equal(StepState.Failed, kit["a"].State);
        Assert.Contains("lost to infrastructure", kit["a"].Message);
    }

    [Fact]
    public void TimedOutAttempt_IsAUserFailure_WithTheLimitInTheMessage()
    {
        var kit = new RunMachineTestKit(Spec(Step("a") with { Timeout = "90s" }));
        kit.Advance();
        kit.Place("a");
        kit.Start("a");
        kit.Finish("a", AttemptOutcome.TimedOut, exitCode: 143);
        Assert.Equal(StepState.Failed, kit["a"].State);
        Assert.Contains("timed out after", kit["a"].Message);
        Assert.Contains("1m30s", kit["a"].Message);
    }

    [Fact]
    public void Reports_ForAnOldAttempt_AreStale_AndRepeats_AreDuplicates()
    {
        var kit = new RunMachineTestKit(Spec(Step("a") with { Retry = new RetrySpec { Limit = 1, Backoff = "0s" } }));
        kit.Advance();
        kit.Place("a");
        Assert.Equal(TransitionDisposition.Duplicate, kit.Machine.OnPlaced("a", 1, "node-1", [], kit.Now).Disposition);
        Assert.Equal(TransitionDisposition.Stale, kit.Machine.OnPlaced("a", 1, "node-2", [], kit.Now).Disposition);
        kit.Start("a");
        Assert.Equal(TransitionDisposition.Duplicate, kit.Machine.OnStarted("a", 1, "node-1", kit.Now).Disposition);
        kit.Finish("a", AttemptOutcome.Failed, exitCode: 1);
        kit.Advance();
        Assert.Equal(2, kit["a"].Attempt);

        Assert.Equal(TransitionDisposition.Stale, kit.Machine.OnStarted("a", 1, "node-1", kit.Now).Disposition);
        Assert.Equal(TransitionDisposition.Stale,
            kit.Machine.OnFinished("a", 1, AttemptOutcome.Succeeded, 0, null, [], "node-1", kit.Now).Disposition);
        Assert.Equal(TransitionDisposition.Stale, kit.Machine.OnLost("a", 1, "x", kit.Now).Disposition);
        Assert.Equal(TransitionDisposition.Stale, kit.Machine.OnPlaced("nope", 1, "node-1", [], kit.Now).Disposition);
    }

    [Fact]
    public void FailedStep_SkipsItsDownstream_ButIndependentBranchesFinish()
    {
        var kit = new RunMachineTestKit(Spec(Step("a"), Step("b", "a"), Step("c")));
        kit.Advance();
        kit.Run("a", AttemptOutcome.Failed);
        Assert.Equal(StepState.Skipped, kit["b"].State);
        Assert.Equal(SkipCause.Upstream, kit["b"].SkipCause);
        Assert.Equal(RunState.Running, kit.Machine.State);
        kit.Run("c");
        Assert.Equal(RunState.Failed, kit.Machine.State);
        Assert.Equal(StepState.Succeeded, kit["c"].State);
    }

    [Fact]
    public void Cancel_StopsQueuedStepsAtOnce_WaitsForRunningOnes_AndStillRunsTheExitHandler()
    {
        var spec = Spec(Step("a"), Step("b"), Step("c", "a")) with { ExitHandler = Step("cleanup") };
        var kit = new RunMachineTestKit(spec);
        kit.Advance();
        kit.Place("a");
        kit.Start("a");

        kit.Commit(kit.Machine.RequestCancel("user:alice", "wrong data", kit.Now));
        Assert.True(kit.Machine.CancelRequested);
        Assert.Equal(StepState.Cancelled, kit["b"].State);
        Assert.Equal(StepState.Cancelled, kit["c"].State);
        Assert.Equal(StepState.Running, kit["a"].State);
        Assert.Contains("wrong data", kit["b"].Message);
        Assert.Empty(kit.Machine.RequestCancel("user:alice", "again", kit.Now));

        kit.Finish("a", AttemptOutcome.Cancelled, exitCode: 143);
        Assert.Equal(StepState.Cancelled, kit["a"].State);
        Assert.Equal(StepState.Ready, kit["cleanup"].State);
        kit.Run("cleanup");
        Assert.Equal(RunState.Cancelled, kit.Machine.State);
        Assert.Throws<RunPreconditionException>(() => kit.Machine.RequestCancel("user:alice", "", kit.Now));
    }

    [Fact]
    public void Retry_RerunsOnlyFailedAndDownstreamSteps_KeepingSucceededOutputs()
    {
        var spec = Spec(Step("a"), Step("b", "a"), Step("c", "b"), Step("d")) with { ExitHandler = Step("notify") };
        var kit = new RunMachineTestKit(spec);
        kit.Advance();
        var output = new StepOutput("x", new string('a', 64), 1, "1");
        kit.Run("a", AttemptOutcome.Succeeded, output);
        kit.Run("b", AttemptOutcome.Failed);
        kit.Run("d");
        kit.Run("notify");
        Assert.Equal(RunState.Failed, kit.Machine.State);
        Assert.Equal(StepState.Skipped, kit["c"].State);
        Assert.Throws<RunPreconditionException>(() => new RunMachineTestKit(Spec(Step("z"))).Machine.Retry("user:x", T0));

        kit.Commit(kit.Machine.Retry("user:alice", kit.Now));
        Assert.Equal(RunState.Running, kit.Machine.State);
        Assert.Equal(StepState.Succeeded, kit["a"].State);
        Assert.Equal(output, Assert.Single(kit["a"].Outputs!));
        Assert.Equal(StepState.Succeeded, kit["d"].State);
        Assert.Equal(StepState.Waiting, kit["b"].State);
        Assert.Equal(StepState.Waiting, kit["c"].State);
        Assert.Equal(StepState.Waiting, kit["notify"].State);

        kit.Advance();
        Assert.Equal(StepState.Ready, kit["b"].State);
        Assert.Equal(2, kit["b"].Attempt);
        kit.Run("b");
        kit.Run("c");
        kit.Run("notify");
        Assert.Equal(RunState.Succeeded, kit.Machine.State);
        Assert.Single(kit["a"].Attempts);
    }

    [Fact]
    public void Replay_OfTheEvents_RebuildsTheSameState()
    {
        var spec = Spec(Step("a") with { Retry = new RetrySpec { Limit = 1, Backoff = "5s" } }, Step("b", "a"), Step("c"));
        var kit = new RunMachineTestKit(spec);
        kit.Advance();
        kit.Run("a", AttemptOutcome.Failed);
        kit.Place("c", "node-2", 1, 3);

        var copy = kit.Replay();
        Assert.Equal(kit.Machine.Revision, copy.Revision);
        Assert.Equal(kit.Machine.State, copy.State);
        Assert.Equal(kit.Machine.NextRetryAt, copy.NextRetryAt);
        foreach (var step in kit.Machine.Steps)
        {
            var other = copy.Find(step.Key)!;
            Assert.Equal((step.State, step.Attempt, step.Node, step.RetryAt, step.UserFailures), (other.State, other.Attempt, other.Node, other.RetryAt, other.UserFailures));
            Assert.Equal(step.Gpus, other.Gpus);
            Assert.Equal(step.Attempts, other.Attempts);
        }

        // After a replay nothing is activated twice: the queue only yields steps still waiting.
        Assert.Empty(copy.DrainActivatable());
    }

    [Fact]
    public void Apply_RefusesAnEventThatDoesNotFollowTheLastRevision()
    {
        var kit = new RunMachineTestKit(Spec(Step("a")));
        var e = new RunEvent { Type = RunEventType.CancelRequested, Revision = kit.Machine.Revision + 2, Time = T0 };
        Assert.Throws<InvalidOperationException>(() => kit.Machine.Apply(e));
    }

    [Fact]
    public void CacheHits_FinishStepsWithoutRunningThem_AndStartTheRun()
    {
        var kit = new RunMachineTestKit(Spec(Step("a"), Step("b", "a")));
        var outputs = new[] { new StepOutput("m", new string('b', 64), 10, null) };
        var index = Assert.Single(kit.Machine.DrainActivatable());
        var decision = kit.Machine.Decide(index);
        Assert.Equal(ActivationKind.Run, decision.Kind);
        Assert.NotNull(decision.Step!.CacheKey);
        kit.Commit(kit.Machine.Cached(index, decision.Step.CacheKey!, outputs, "system", kit.Now));
        Assert.Equal(StepState.Cached, kit["a"].State);
        Assert.Equal(RunState.Running, kit.Machine.State);
        kit.Advance();
        Assert.Equal(StepState.Ready, kit["b"].State);
    }

    [Fact]
    public void CacheDisabledRun_ResolvesStepsWithoutACacheKey()
    {
        var kit = new RunMachineTestKit(Spec(Step("a")), cacheDisabled: true);
        var index = Assert.Single(kit.Machine.DrainActivatable());
        Assert.Null(kit.Machine.Decide(index).Step!.CacheKey);
    }

    [Fact]
    public void ConditionFalse_SkipsTheStep_AndItsConsumers_ButNotStepsThatOnlyRunAfterIt()
    {
        var spec = new PipelineSpec
        {
            Name = "cond",
            Parameters = [new ParameterSpec { Name = "go", Type = ParameterType.Bool, Default = "false" }],
            Steps =
            [
                new StepSpec { Name = "maybe", Command = ["true"], When = "{{params.go}} == true", Outputs = ["o"] },
                new StepSpec { Name = "reads", Command = ["cat", "{{inputs.i}}"], Inputs = new Dictionary<string, string> { ["i"] = "{{steps.maybe.outputs.o}}" } },
                new StepSpec { Name = "after", Command = ["true"], After = ["maybe"] },
            ],
        };
        var kit = new RunMachineTestKit(spec);
        kit.Advance();
        Assert.Equal(StepState.Skipped, kit["maybe"].State);
        Assert.Equal(SkipCause.Condition, kit["maybe"].SkipCause);
        Assert.Equal(StepState.Skipped, kit["reads"].State);
        Assert.Equal(StepState.Ready, kit["after"].State);
        kit.Run("after");
        Assert.Equal(RunState.Succeeded, kit.Machine.State);
    }

    [Fact]
    public void TenThousandStepFanOut_RunsToCompletion_WithCountsKeptPerState()
    {
        var spec = new PipelineSpec
        {
            Name = "wide",
            Parameters = [new ParameterSpec { Name = "items", Type = ParameterType.List }],
            Steps = [new StepSpec { Name = "work", Command = ["echo", "{{item}}"], Foreach = "{{params.items}}" }, Step("end", "work")],
        };
        var items = "[" + string.Join(",", Enumerable.Range(0, 9_999)) + "]";
        var kit = new RunMachineTestKit(spec, new Dictionary<string, string> { ["items"] = items });
        kit.Advance();
        Assert.Equal(9_999, kit.Machine.CountIn(StepState.Ready));
        for (var i = 0; i < 9_999; i++) kit.Run($"work[{i}]");
        Assert.Equal(StepState.Ready, kit["end"].State);
        kit.Run("end");
        Assert.Equal(RunState.Succeeded, kit.Machine.State);
        Assert.Equal(10_000, kit.Machine.CountIn(StepState.Succeeded));
    }
}
