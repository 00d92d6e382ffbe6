using System.Text;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch run why, orch pools and orch scheduling get/apply against a fake server: what each prints,
/// what it sends, and that a refused configuration lists every bad field with the request-error exit code.</summary>
public sealed class SchedulingCommandTests
{
    [Fact]
    public async Task RunWhy_ListsEveryReasonPerPool_AndSaysTheStateOfAStepThatIsNotWaiting()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.ExplainPending = _ => Explanation();

        var table = await CliHarness.RunAsync(server.Address, "run", "why", "r-1");
        var json = await CliHarness.RunAsync(server.Address, "run", "why", "r-1", "--step", "train", "-o", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"^STEP\s+ATTEMPT\s+STATE\s+POOL\s+AHEAD\s+WHY$", table.StdoutLines[0]);
        Assert.Matches(@"^train\s+2\s+ready\s+h200\s+3\s+quota: tenant ml-team uses 16 of 16 GPUs in pool h200 and may not borrow; the job needs 8 more$", table.StdoutLines[1]);
        Assert.Matches(@"^\s+capacity: no node has 8 free GPUs: largest free block is 4 on node-3$", table.StdoutLines[2]);
        Assert.Matches(@"^\s+queued: 3 jobs ahead of it$", table.StdoutLines[3]);
        Assert.Matches(@"^eval\s+1\s+waiting\s+-\s+-\s+not ready: waits for the steps it depends on$", table.StdoutLines[4]);
        Assert.Equal(Explanation(), JsonParser.Default.Parse<ExplainPendingResponse>(json.Stdout));
        Assert.Equal([new ExplainPendingRequest { RunId = "r-1" }, new ExplainPendingRequest { RunId = "r-1", Step = "train" }],
            server.Backend.Received<ExplainPendingRequest>());
    }

    [Fact]
    public async Task RunWhy_OfAnUnknownRun_PrintsNotFound_AndExitsWithTheRequestErrorCode()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.ExplainPending = r => throw new RpcException(new Status(StatusCode.NotFound, $"run {r.RunId} does not exist"));

        var result = await CliHarness.RunAsync(server.Address, "run", "why", "r-typo");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: NOT_FOUND: run r-typo does not exist", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Pools_ShowNodesGpusQueue_AndPerTenantUseQuotaAndBorrowing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.ListPools = _ => new ListPoolsResponse
        {
            Pools =
            {
                new PoolStatus
                {
                    Name = "h200", Nodes = { "node-1", "node-2" }, SchedulableNodes = 1, GpusTotal = 8, GpusFree = 2, Queued = 3, Running = 4,
                    Tenants = { new TenantUsage { Tenant = "ml-team", Gpus = 6, QuotaGpus = 4, BorrowedGpus = 2, Queued = 3, ReservedGpus = 4, WaitingAdmissions = 1 } },
                },
                new PoolStatus { Name = "default", GpusTotal = 0 },
            },
        };

        var result = await CliHarness.RunAsync(server.Address, "pools");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^POOL\s+NODES\s+GPUS FREE\s+QUEUED\s+RUNNING\s+TENANT\s+GPUS USED/QUOTA\s+BORROWED\s+RESERVED\s+TENANT QUEUED$", result.StdoutLines[0]);
        Assert.Matches(@"^h200\s+2 \(1 schedulable\)\s+2/8\s+3\s+4$", result.StdoutLines[1]);
        Assert.Matches(@"^\s+ml-team\s+6/4\s+2\s+4 \(\+1 waiting\)\s+3$", result.StdoutLines[2]);
        Assert.Matches(@"^default\s+0\s+0/0\s+0\s+0$", result.StdoutLines[3]);
    }

    [Fact]
    public async Task SchedulingGetAsYaml_AppliesBackUnchanged()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var config = Config();
        server.Backend.GetSchedulingConfig = _ => new SchedulingConfigResponse { Config = config, Version = 3, UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch) };
        server.Backend.UpdateSchedulingConfig = r => new SchedulingConfigResponse { Config = r.Config, Version = 4 };
        var file = Path.Combine(Path.GetTempPath(), $"orch-scheduling-{Guid.NewGuid():N}.yaml");
        try
        {
            var get = await CliHarness.RunAsync(server.Address, "scheduling", "get", "-o", "yaml");
            await File.WriteAllTextAsync(file, get.Stdout);

            var apply = await CliHarness.RunAsync(server.Address, "scheduling", "apply", "-f", file);

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Equal("scheduling configuration version 4 applied: 1 pool(s), 1 tenant(s), 1 priority class(es)", apply.Stdout.TrimEnd());
            Assert.Equal(config, Assert.Single(server.Backend.Received<UpdateSchedulingConfigRequest>()).Config);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task SchedulingApply_RefusedByTheServer_PrintsEveryFieldPath_AndExitsWithTheRequestErrorCode()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.UpdateSchedulingConfig = _ =>
        {
            var trailers = new Metadata
            {
                { "x-orch-field-error-bin", Encoding.UTF8.GetBytes("tenants[0].quotas.h200.gpus: -2 is negative; use 0 or more") },
                { "x-orch-field-error-bin", Encoding.UTF8.GetBytes("priority_classes[0].value: 5000 is out of range; use -1000..1000") },
            };
            throw new RpcException(new Status(StatusCode.InvalidArgument, "joined detail"), trailers);
        };
        var file = Path.Combine(Path.GetTempPath(), $"orch-scheduling-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "tenants:\n  - name: ml-team\n    quotas: {h200: {gpus: -2}}\npriority_classes:\n  - {name: high, value: 5000}\n");
        try
        {
            var result = await CliHarness.RunAsync(server.Address, "scheduling", "apply", "-f", file);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal(
                [
                    "error: INVALID_ARGUMENT: 2 problems; nothing was changed",
                    "error: INVALID_ARGUMENT: tenants[0].quotas.h200.gpus: -2 is negative; use 0 or more",
                    "error: INVALID_ARGUMENT: priority_classes[0].value: 5000 is out of range; use -1000..1000",
                ],
                result.Stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task SchedulingApply_WithAnUnknownField_NamesTheFileAndField_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), $"orch-scheduling-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "tenants:\n  - name: ml-team\n    wieght: 2\n");
        try
        {
            var result = await CliHarness.RunAsync(server.Address, "scheduling", "apply", "-f", file);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains(file, result.Stderr);
            Assert.Contains("wieght", result.Stderr);
            Assert.Empty(server.Backend.Received<UpdateSchedulingConfigRequest>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static ExplainPendingResponse Explanation() => new()
    {
        Steps =
        {
            new PendingStepExplanation
            {
                StepKey = "train", Attempt = 2, State = "Ready",
                Pools =
                {
                    new PoolPosition
                    {
                        Pool = "h200", Position = 3,
                        Reasons =
                        {
                            new PendingReason { Kind = PendingReasonKind.Quota, Message = "tenant ml-team uses 16 of 16 GPUs in pool h200 and may not borrow; the job needs 8 more" },
                            new PendingReason { Kind = PendingReasonKind.Capacity, Message = "no node has 8 free GPUs: largest free block is 4 on node-3" },
                            new PendingReason { Kind = PendingReasonKind.QueuedBehind, Message = "3 jobs ahead of it" },
                        },
                    },
                },
            },
            new PendingStepExplanation { StepKey = "eval", Attempt = 1, State = "Waiting" },
        },
    };

    private static SchedulingConfig Config() => new()
    {
        Pools = { new PoolConfig { Name = "h200", NodeSelector = { ["gpu"] = "h200" }, Packing = PackingMode.BestFit, TopologyKey = "rack" } },
        Tenants = { new TenantConfig { Name = "ml-team", Weight = 2, Quotas = { ["h200"] = new ResourceQuota { Gpus = 16, CpuMillis = 64000 } }, NoBorrowing = true } },
        PriorityClasses = { new PriorityClass { Name = "high", Value = 100 } },
        Tuning = new SchedulingTuning { AgingInterval = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)), MaxAgingBoost = 10 },
    };
}
