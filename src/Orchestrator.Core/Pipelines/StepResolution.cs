namespace Orchestrator.Core.Pipelines;

/// <summary>What to do with a step whose upstream steps are done: run it as resolved, skip it, or fail it.</summary>
public abstract record StepResolution
{
    private StepResolution()
    {
    }

    /// <summary>Run the step: every template resolved, inputs bound to values or artifacts.</summary>
    /// <param name="Step">The step ready for an executor.</param>
    public sealed record Run(ResolvedStep Step) : StepResolution;

    /// <summary>Do not run it: its condition is false or an input's producer did not succeed.</summary>
    /// <param name="Reason">Why, for the run's history.</param>
    /// <param name="Cause">Its condition was false, or something it reads did not succeed.</param>
    public sealed record Skip(string Reason, Runs.SkipCause Cause = Runs.SkipCause.Upstream) : StepResolution;

    /// <summary>It cannot run: its condition could not be evaluated or an upstream output is unusable.</summary>
    /// <param name="Reason">Why, for the run's history.</param>
    public sealed record Fail(string Reason) : StepResolution;
}
