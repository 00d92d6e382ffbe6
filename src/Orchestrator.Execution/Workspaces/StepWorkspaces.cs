using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;

namespace Orchestrator.Execution.Workspaces;

/// <summary>Creates and removes per-attempt directories under <c>workRoot/&lt;runId&gt;/&lt;stepKey&gt;/&lt;attempt&gt;</c>.</summary>
public sealed class StepWorkspaces
{
    // Creating an attempt's parents and removing an empty parent after another attempt must not interleave.
    private readonly Lock _layout = new();
    private readonly IArtifactStore _artifacts;

    /// <summary>Creates the manager; inputs that are artifacts are fetched from <paramref name="artifacts"/>, outputs stored in it.</summary>
    public StepWorkspaces(string workRoot, IArtifactStore artifacts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workRoot);
        Root = Path.GetFullPath(workRoot);
        _artifacts = artifacts;
    }

    /// <summary>The work root, absolute.</summary>
    public string Root { get; }

    /// <summary>Creates the attempt's directory (replacing a leftover one) and writes its inputs.</summary>
    /// <exception cref="StepPreparationException">A name is unusable, or an input cannot be written or fetched.</exception>
    public async Task<AttemptWorkspace> CreateAsync(StepAssignment assignment, CancellationToken cancellationToken = default)
    {
        var step = assignment.Step ?? throw new StepPreparationException("the assignment has no step reference", isAgentFault: false);
        var runId = PathSegment.Ensure(step.RunId, "run id");
        var stepKey = PathSegment.Ensure(step.StepKey, "step key");
        if (step.Attempt < 0) throw new StepPreparationException($"attempt {step.Attempt} is negative", isAgentFault: false);
        if (step.Replica < 0) throw new StepPreparationException($"replica {step.Replica} is negative", isAgentFault: false);
        // Replicas of one gang may share a node: each process has its own directory.
        var attempt = step.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var directory = Path.Combine(Root, runId, stepKey, step.Replica == 0 ? attempt : $"{attempt}.r{step.Replica.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var workspace = new AttemptWorkspace(this, directory, _artifacts);
        try
        {
            lock (_layout)
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
                Directory.CreateDirectory(workspace.InputsDirectory);
                Directory.CreateDirectory(workspace.OutputsDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StepPreparationException($"could not create the workspace {directory}: {e.Message}", isAgentFault: true, e);
        }
        try
        {
            await workspace.WriteInputsAsync(assignment.Inputs, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            workspace.Delete();
            throw;
        }
        return workspace;
    }

    /// <summary>Removes an attempt directory and the run and step directories above it once they are empty.</summary>
    internal void Remove(string attemptDirectory)
    {
        lock (_layout)
        {
            if (Directory.Exists(attemptDirectory)) Directory.Delete(attemptDirectory, recursive: true);
            var stepDirectory = Path.GetDirectoryName(attemptDirectory)!;
            var runDirectory = Path.GetDirectoryName(stepDirectory)!;
            foreach (var parent in new[] { stepDirectory, runDirectory })
            {
                if (!Directory.Exists(parent) || Directory.EnumerateFileSystemEntries(parent).Any()) return;
                Directory.Delete(parent);
            }
        }
    }
}
