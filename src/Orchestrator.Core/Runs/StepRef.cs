namespace Orchestrator.Core.Runs;

/// <summary>One attempt of one step of one run: the unit that is placed, started, reported and released.</summary>
public readonly record struct StepRef(string RunId, string StepKey, int Attempt)
{
    /// <inheritdoc />
    public override string ToString() => $"{RunId}/{StepKey}#{Attempt}";
}
