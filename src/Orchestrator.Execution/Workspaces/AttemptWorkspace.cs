using System.Globalization;
using System.Text;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;
using Orchestrator.Execution.Artifacts;

namespace Orchestrator.Execution.Workspaces;

/// <summary>One attempt's directory: <c>inputs/</c> written before the step runs, <c>outputs/</c> read after it exits.</summary>
public sealed class AttemptWorkspace
{
    /// <summary>Outputs up to this size that are UTF-8 text also travel as their value (for <c>when</c> conditions).</summary>
    public const int MaxValueBytes = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly StepWorkspaces _owner;
    private readonly IArtifactStore _artifacts;
    private readonly HashSet<string> _inputNames = new(StringComparer.Ordinal);

    internal AttemptWorkspace(StepWorkspaces owner, string directory, IArtifactStore artifacts)
    {
        _owner = owner;
        _artifacts = artifacts;
        Directory = directory;
        InputsDirectory = Path.Combine(directory, "inputs");
        OutputsDirectory = Path.Combine(directory, "outputs");
    }

    /// <summary>The attempt directory (the step's working directory), absolute.</summary>
    public string Directory { get; }

    /// <summary>Where inputs are, absolute.</summary>
    public string InputsDirectory { get; }

    /// <summary>Where the step writes its outputs, absolute.</summary>
    public string OutputsDirectory { get; }

    /// <summary>Builds the step's argv and environment: <c>{{inputs.NAME}}</c> and <c>{{outputs.NAME}}</c> become absolute
    /// paths, and the <c>ORCH_*</c> variables and <c>CUDA_VISIBLE_DEVICES</c> are added.</summary>
    /// <exception cref="StepPreparationException">A template names an input or output the step does not have.</exception>
    public ResolvedCommand ResolveCommand(StepAssignment assignment, string nodeName)
    {
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in assignment.Outputs) outputs.Add(PathSegment.Ensure(output, "output name"));
        var substitution = new PathSubstitution(InputsDirectory, OutputsDirectory, _inputNames, outputs);
        var argv = assignment.Command.Select((arg, i) => substitution.Apply(arg, $"command[{i}]")).ToList();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in assignment.Env) environment[name] = substitution.Apply(value, $"env.{name}");
        environment["ORCH_RUN_ID"] = assignment.Step.RunId;
        environment["ORCH_STEP_KEY"] = assignment.Step.StepKey;
        environment["ORCH_ATTEMPT"] = assignment.Step.Attempt.ToString(CultureInfo.InvariantCulture);
        environment["ORCH_NODE"] = nodeName;
        environment["ORCH_INPUTS_DIR"] = InputsDirectory;
        environment["ORCH_OUTPUTS_DIR"] = OutputsDirectory;
        // Empty rather than unset: CUDA would otherwise show a CPU step every GPU on the node.
        environment["CUDA_VISIBLE_DEVICES"] = string.Join(',', assignment.GpuIndices.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        if (assignment.Gang is { } gang) AddGangVariables(environment, gang);
        return new ResolvedCommand(argv, environment);
    }

    /// <summary>What torch.distributed (env:// rendezvous), Horovod-style launchers and torchrun read, as Kubeflow's
    /// PyTorchJob sets them: one process per replica, so WORLD_SIZE counts replicas and LOCAL_RANK is 0. A step's own
    /// env wins, so a pipeline can pick its own MASTER_PORT.</summary>
    private static void AddGangVariables(Dictionary<string, string> environment, GangMember gang)
    {
        var rank = gang.Replica.ToString(CultureInfo.InvariantCulture);
        var size = gang.Replicas.ToString(CultureInfo.InvariantCulture);
        environment["ORCH_REPLICA"] = rank;
        environment["ORCH_REPLICAS"] = size;
        environment.TryAdd("RANK", rank);
        environment.TryAdd("WORLD_SIZE", size);
        environment.TryAdd("LOCAL_RANK", "0");
        environment.TryAdd("MASTER_ADDR", gang.MasterAddr);
        environment.TryAdd("MASTER_PORT", gang.MasterPort.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Stores every declared output. A missing, linked or directory output fails the step (the returned
    /// <see cref="OutputCollection.Failure"/>); a store error throws, since that is the agent's trouble.</summary>
    public async Task<OutputCollection> CollectOutputsAsync(IEnumerable<string> outputNames, CancellationToken cancellationToken = default)
    {
        var artifacts = new List<Artifact>();
        foreach (var name in outputNames)
        {
            if (PathSegment.Problem(name) is { } problem) return OutputCollection.Failed($"output name \"{name}\" cannot be used as a file name: {problem}");
            var path = Path.Combine(OutputsDirectory, name);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                return OutputCollection.Failed($"output \"{name}\" at $ORCH_OUTPUTS_DIR/{name} is a symbolic link: write a regular file (copy the content instead of linking)");
            }
            if (System.IO.Directory.Exists(path))
            {
                return OutputCollection.Failed($"output \"{name}\" at $ORCH_OUTPUTS_DIR/{name} is a directory: write a file; archive a directory first (e.g. tar -czf \"$ORCH_OUTPUTS_DIR/{name}\" -C DIR .)");
            }
            if (!info.Exists) return OutputCollection.Failed($"output \"{name}\" was not written to $ORCH_OUTPUTS_DIR/{name}");
            var stored = await _artifacts.PutFileAsync(path, cancellationToken).ConfigureAwait(false);
            var value = stored.Size <= MaxValueBytes
                ? TextValue(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false))
                : "";
            artifacts.Add(new Artifact { Name = name, Digest = stored.Digest, Size = stored.Size, Value = value });
        }
        return OutputCollection.Succeeded(artifacts);
    }

    /// <summary>Removes the attempt directory (and empty parents); best effort, returns the error if it could not.</summary>
    public Exception? Delete()
    {
        try
        {
            _owner.Remove(Directory);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e;
        }
    }

    internal async Task WriteInputsAsync(IEnumerable<StepInput> inputs, CancellationToken cancellationToken)
    {
        foreach (var input in inputs)
        {
            var name = PathSegment.Ensure(input.Name, "input name");
            if (!_inputNames.Add(name)) throw new StepPreparationException($"input \"{name}\" is given twice", isAgentFault: false);
            var path = Path.Combine(InputsDirectory, name);
            switch (input.SourceCase)
            {
                case StepInput.SourceOneofCase.Value:
                    await WriteAsync(name, () => File.WriteAllTextAsync(path, input.Value, StrictUtf8, cancellationToken)).ConfigureAwait(false);
                    break;
                case StepInput.SourceOneofCase.Artifact:
                    await FetchAsync(name, input.Artifact, path, cancellationToken).ConfigureAwait(false);
                    break;
                case StepInput.SourceOneofCase.Collected:
                    await WriteAsync(name, () => Task.FromResult(System.IO.Directory.CreateDirectory(path))).ConfigureAwait(false);
                    for (var i = 0; i < input.Collected.Items.Count; i++)
                    {
                        var item = Path.Combine(path, i.ToString(CultureInfo.InvariantCulture));
                        await FetchAsync($"{name}[{i}]", input.Collected.Items[i], item, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                default:
                    throw new StepPreparationException($"input \"{name}\" has no value, artifact or collected list", isAgentFault: false);
            }
        }
    }

    private async Task FetchAsync(string inputName, Artifact artifact, string path, CancellationToken cancellationToken)
    {
        if (!ArtifactDigest.IsValid(artifact.Digest))
        {
            throw new StepPreparationException($"input \"{inputName}\" names artifact \"{artifact.Digest}\", which is not a sha256 digest", isAgentFault: false);
        }
        try
        {
            await _artifacts.CopyToFileAsync(artifact.Digest, path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new StepPreparationException($"input \"{inputName}\": could not fetch artifact {artifact.Digest}: {e.Message}", isAgentFault: true, e);
        }
    }

    private static async Task WriteAsync(string inputName, Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StepPreparationException($"input \"{inputName}\": could not write it: {e.Message}", isAgentFault: true, e);
        }
    }

    private static string TextValue(byte[] content)
    {
        if (content.Contains((byte)0)) return "";
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return "";
        }
        // One trailing line ending is how a value is normally written (echo 0.93 > file); more is content.
        if (text.EndsWith("\r\n", StringComparison.Ordinal)) return text[..^2];
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
