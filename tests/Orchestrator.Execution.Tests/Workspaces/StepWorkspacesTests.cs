using System.Security.Cryptography;
using System.Text;

using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Artifacts;
using Orchestrator.Execution.Tests.Support;
using Orchestrator.Execution.Workspaces;

namespace Orchestrator.Execution.Tests.Workspaces;

/// <summary>Verifies attempt workspaces: the directory layout, inputs as files (values, artifacts, collected
/// directories), path templates and environment, outputs stored as artifacts with small text values, the step's errors
/// (missing or non-file outputs, unsafe names, unknown templates) and the agent's (an input it cannot fetch).</summary>
public sealed class StepWorkspacesTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FileSystemArtifactStore _store;
    private readonly StepWorkspaces _workspaces;

    public StepWorkspacesTests()
    {
        _store = new FileSystemArtifactStore(_dir.Combine("artifacts"));
        _workspaces = new StepWorkspaces(_dir.Combine("work"), _store);
    }

    public void Dispose() => _dir.Dispose();

    private static StepAssignment Assignment(string runId = "run-1", string stepKey = "train[3]", int attempt = 2) => new()
    {
        Step = new StepRef { RunId = runId, StepKey = stepKey, Attempt = attempt },
    };

    private async Task<Artifact> StoredAsync(string text)
    {
        var info = await _store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), null);
        return new Artifact { Digest = info.Digest, Size = info.Size };
    }

    [Fact]
    public async Task CreateAsync_LaysOutRunStepAttemptWithInputsAndOutputs()
    {
        var workspace = await _workspaces.CreateAsync(Assignment());

        Assert.Equal(_dir.Combine("work", "run-1", "train[3]", "2"), workspace.Directory);
        Assert.True(Directory.Exists(workspace.InputsDirectory));
        Assert.True(Directory.Exists(workspace.OutputsDirectory));
    }

    [Fact]
    public async Task CreateAsync_WritesValueArtifactAndCollectedInputsAsFiles()
    {
        var assignment = Assignment();
        assignment.Inputs.Add(new StepInput { Name = "lr", Value = "0.01" });
        assignment.Inputs.Add(new StepInput { Name = "data", Artifact = await StoredAsync("a,b\n1,2\n") });
        var collected = new ArtifactList();
        collected.Items.Add(await StoredAsync("shard zero"));
        collected.Items.Add(await StoredAsync("shard one"));
        assignment.Inputs.Add(new StepInput { Name = "shards", Collected = collected });

        var workspace = await _workspaces.CreateAsync(assignment);

        Assert.Equal("0.01", File.ReadAllText(Path.Combine(workspace.InputsDirectory, "lr")));
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(Path.Combine(workspace.InputsDirectory, "data")));
        var shards = Path.Combine(workspace.InputsDirectory, "shards");
        Assert.Equal(["0", "1"], Directory.GetFiles(shards).Select(Path.GetFileName).Order());
        Assert.Equal("shard zero", File.ReadAllText(Path.Combine(shards, "0")));
        Assert.Equal("shard one", File.ReadAllText(Path.Combine(shards, "1")));
    }

    [Fact]
    public async Task ResolveCommand_SubstitutesPathsAndSetsTheOrchestratorVariables()
    {
        var assignment = Assignment();
        assignment.Inputs.Add(new StepInput { Name = "data", Value = "x" });
        assignment.Outputs.Add("model");
        assignment.Command.AddRange(["python", "train.py", "--data={{inputs.data}}", "--out", "{{ outputs.model }}", "{{params.kept}}"]);
        assignment.Env.Add("MODEL_PATH", "{{outputs.model}}");
        assignment.Env.Add("PLAIN", "value");
        assignment.GpuIndices.AddRange([2, 0]);
        var workspace = await _workspaces.CreateAsync(assignment);

        var command = workspace.ResolveCommand(assignment, "gpu-node-1");

        var model = Path.Combine(workspace.OutputsDirectory, "model");
        Assert.Equal(["python", "train.py", $"--data={Path.Combine(workspace.InputsDirectory, "data")}", "--out", model, "{{params.kept}}"], command.Argv);
        Assert.Equal(model, command.Environment["MODEL_PATH"]);
        Assert.Equal("value", command.Environment["PLAIN"]);
        Assert.Equal("run-1", command.Environment["ORCH_RUN_ID"]);
        Assert.Equal("train[3]", command.Environment["ORCH_STEP_KEY"]);
        Assert.Equal("2", command.Environment["ORCH_ATTEMPT"]);
        Assert.Equal("gpu-node-1", command.Environment["ORCH_NODE"]);
        Assert.Equal(workspace.InputsDirectory, command.Environment["ORCH_INPUTS_DIR"]);
        Assert.Equal(workspace.OutputsDirectory, command.Environment["ORCH_OUTPUTS_DIR"]);
        Assert.Equal("2,0", command.Environment["CUDA_VISIBLE_DEVICES"]);
    }

    [Fact]
    public async Task GangReplica_GetsItsOwnDirectory_AndTheRendezvousVariables_WhileTheStepsOwnMasterPortWins()
    {
        var rank0 = Assignment();
        rank0.Gang = new GangMember { Replica = 0, Replicas = 3, MasterAddr = "10.0.0.7", MasterPort = 23456 };
        var rank2 = Assignment();
        rank2.Step.Replica = 2;
        rank2.Env["MASTER_PORT"] = "29400";
        rank2.Gang = new GangMember { Replica = 2, Replicas = 3, MasterAddr = "10.0.0.7", MasterPort = 23456 };

        var first = await _workspaces.CreateAsync(rank0);
        var third = await _workspaces.CreateAsync(rank2);
        var env0 = first.ResolveCommand(rank0, "node-a").Environment;
        var env2 = third.ResolveCommand(rank2, "node-b").Environment;

        Assert.Equal(_dir.Combine("work", "run-1", "train[3]", "2"), first.Directory);
        Assert.Equal(_dir.Combine("work", "run-1", "train[3]", "2.r2"), third.Directory);
        Assert.Equal(("0", "3", "0", "10.0.0.7", "23456"), (env0["RANK"], env0["WORLD_SIZE"], env0["LOCAL_RANK"], env0["MASTER_ADDR"], env0["MASTER_PORT"]));
        Assert.Equal(("2", "3", "10.0.0.7", "29400"), (env2["RANK"], env2["WORLD_SIZE"], env2["MASTER_ADDR"], env2["MASTER_PORT"]));
        Assert.Equal(("2", "3"), (env2["ORCH_REPLICA"], env2["ORCH_REPLICAS"]));
    }

    [Fact]
    public async Task ResolveCommand_OfAnOrdinaryStep_SetsNoRendezvousVariables()
    {
        var assignment = Assignment();
        var workspace = await _workspaces.CreateAsync(assignment);

        var environment = workspace.ResolveCommand(assignment, "n").Environment;

        Assert.DoesNotContain("RANK", environment.Keys);
        Assert.DoesNotContain("MASTER_ADDR", environment.Keys);
        Assert.DoesNotContain("ORCH_REPLICA", environment.Keys);
    }

    [Fact]
    public async Task ResolveCommand_WithoutGpus_HidesEveryGpuWithAnEmptyValue()
    {
        var assignment = Assignment();
        var workspace = await _workspaces.CreateAsync(assignment);

        var command = workspace.ResolveCommand(assignment, "n");

        Assert.Equal("", command.Environment["CUDA_VISIBLE_DEVICES"]);
    }

    [Fact]
    public async Task ResolveCommand_UnknownInputTemplate_IsTheStepsErrorNamingTheFieldAndTheKnownInputs()
    {
        var assignment = Assignment();
        assignment.Inputs.Add(new StepInput { Name = "data", Value = "x" });
        assignment.Command.AddRange(["cat", "{{inputs.dataset}}"]);
        var workspace = await _workspaces.CreateAsync(assignment);

        var error = Assert.Throws<StepPreparationException>(() => workspace.ResolveCommand(assignment, "n"));

        Assert.False(error.IsAgentFault);
        Assert.Equal("command[1] refers to {{inputs.dataset}}, but the step has no input \"dataset\" (it has: data)", error.Message);
    }

    [Fact]
    public async Task CollectOutputsAsync_StoresEachOutputWithItsDigestSizeAndSmallTextValue()
    {
        var assignment = Assignment();
        var workspace = await _workspaces.CreateAsync(assignment);
        var binary = new byte[] { 1, 0, 2 };
        var large = Encoding.UTF8.GetBytes(new string('x', AttemptWorkspace.MaxValueBytes + 1));
        File.WriteAllText(Path.Combine(workspace.OutputsDirectory, "accuracy"), "0.93\n");
        File.WriteAllBytes(Path.Combine(workspace.OutputsDirectory, "weights"), binary);
        File.WriteAllBytes(Path.Combine(workspace.OutputsDirectory, "report"), large);

        var collection = await workspace.CollectOutputsAsync(["accuracy", "weights", "report"]);

        Assert.Null(collection.Failure);
        Assert.Equal(["accuracy", "weights", "report"], collection.Artifacts.Select(a => a.Name));
        var accuracy = collection.Artifacts[0];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("0.93\n"u8.ToArray())), accuracy.Digest);
        Assert.Equal(5, accuracy.Size);
        Assert.Equal("0.93", accuracy.Value);
        Assert.Equal("", collection.Artifacts[1].Value);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(binary)), collection.Artifacts[1].Digest);
        Assert.Equal("", collection.Artifacts[2].Value);
        Assert.Equal(large.Length, collection.Artifacts[2].Size);
        foreach (var artifact in collection.Artifacts) Assert.NotNull(await _store.StatAsync(artifact.Digest));
    }

    [Fact]
    public async Task CollectOutputsAsync_MissingOutput_FailsTheStepSayingWhereToWriteIt()
    {
        var workspace = await _workspaces.CreateAsync(Assignment());

        var collection = await workspace.CollectOutputsAsync(["model"]);

        Assert.Equal("output \"model\" was not written to $ORCH_OUTPUTS_DIR/model", collection.Failure);
        Assert.Empty(collection.Artifacts);
    }

    [Fact]
    public async Task CollectOutputsAsync_DirectoryOutput_IsRefusedWithTheArchiveAdvice()
    {
        var workspace = await _workspaces.CreateAsync(Assignment());
        Directory.CreateDirectory(Path.Combine(workspace.OutputsDirectory, "checkpoint"));

        var collection = await workspace.CollectOutputsAsync(["checkpoint"]);

        Assert.Contains("is a directory: write a file; archive a directory first", collection.Failure);
    }

    [Fact]
    public async Task CollectOutputsAsync_SymlinkOutput_IsRefused()
    {
        var workspace = await _workspaces.CreateAsync(Assignment());
        File.CreateSymbolicLink(Path.Combine(workspace.OutputsDirectory, "model"), "/etc/hostname");

        var collection = await workspace.CollectOutputsAsync(["model"]);

        Assert.Contains("output \"model\" at $ORCH_OUTPUTS_DIR/model is a symbolic link", collection.Failure);
    }

    [Theory]
    [InlineData("../escape", "train")]
    [InlineData("..", "train")]
    [InlineData("run/1", "train")]
    [InlineData("run\0", "train")]
    [InlineData("run-1", "../../etc")]
    [InlineData("run-1", "")]
    [InlineData("run-1", ".")]
    public async Task CreateAsync_UnsafeRunIdOrStepKey_IsRefusedBeforeTouchingTheDisk(string runId, string stepKey)
    {
        var error = await Assert.ThrowsAsync<StepPreparationException>(() => _workspaces.CreateAsync(Assignment(runId, stepKey)));

        Assert.False(error.IsAgentFault);
        Assert.Contains("cannot be used as a file name", error.Message);
        Assert.False(Directory.Exists(_dir.Combine("work")));
    }

    [Fact]
    public async Task CreateAsync_UnsafeInputName_IsRefusedAndTheWorkspaceRemoved()
    {
        var assignment = Assignment();
        assignment.Inputs.Add(new StepInput { Name = "../../secret", Value = "x" });

        var error = await Assert.ThrowsAsync<StepPreparationException>(() => _workspaces.CreateAsync(assignment));

        Assert.Equal("input name \"../../secret\" cannot be used as a file name: it contains \"/\"", error.Message);
        Assert.False(Directory.Exists(_dir.Combine("work", "run-1")));
    }

    [Fact]
    public async Task CreateAsync_InputArtifactNotInTheStore_IsTheAgentsFault()
    {
        var assignment = Assignment();
        assignment.Inputs.Add(new StepInput { Name = "data", Artifact = new Artifact { Digest = new string('a', 64) } });

        var error = await Assert.ThrowsAsync<StepPreparationException>(() => _workspaces.CreateAsync(assignment));

        Assert.True(error.IsAgentFault);
        Assert.StartsWith($"input \"data\": could not fetch artifact {new string('a', 64)}", error.Message);
    }

    [Fact]
    public async Task Delete_RemovesTheAttemptAndItsNowEmptyParents_ButNotSiblings()
    {
        var first = await _workspaces.CreateAsync(Assignment(stepKey: "a"));
        var second = await _workspaces.CreateAsync(Assignment(stepKey: "b"));

        Assert.Null(first.Delete());
        Assert.False(Directory.Exists(_dir.Combine("work", "run-1", "a")));
        Assert.True(Directory.Exists(second.Directory));
        Assert.Null(second.Delete());
        Assert.False(Directory.Exists(_dir.Combine("work", "run-1")));
    }

    [Fact]
    public async Task CreateAsync_LeftoverDirectoryFromAnEarlierLife_IsReplaced()
    {
        var stale = _dir.Combine("work", "run-1", "train[3]", "2", "outputs", "model");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        File.WriteAllText(stale, "stale");

        var workspace = await _workspaces.CreateAsync(Assignment());

        Assert.Equal("output \"model\" was not written to $ORCH_OUTPUTS_DIR/model", (await workspace.CollectOutputsAsync(["model"])).Failure);
    }
}
