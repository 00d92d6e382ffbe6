namespace Orchestrator.Core.Runs;

/// <summary>One attempt of one step of one run: the unit that is placed, started, reported and released. A gang's
/// attempt runs as several processes, one per <paramref name="Replica"/> (0 for an ordinary step and for the gang's
/// first process, so the attempt and its rank 0 share a key).</summary>
public readonly record struct StepRef(string RunId, string StepKey, int Attempt, int Replica = 0)
{
    /// <summary>The attempt this process belongs to (replica 0).</summary>
    public StepRef ForAttempt() => this with { Replica = 0 };

    /// <inheritdoc />
    public override string ToString() => Replica == 0 ? $"{RunId}/{StepKey}#{Attempt}" : $"{RunId}/{StepKey}#{Attempt}@r{Replica}";
}
