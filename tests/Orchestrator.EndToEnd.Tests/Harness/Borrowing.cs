using Orchestrator.Contracts.V1;

namespace Orchestrator.EndToEnd.Tests.Harness;

/// <summary>The preemption scenario's parts: tenant team-b owns the default pool's 8 GPUs (and may not borrow), the
/// priority class <c>urgent</c>, and tenant team-a's pipeline <c>borrow</c> of two 4-GPU steps that hold their GPUs
/// until a release file appears, saying so when SIGTERM stops them.</summary>
internal static class Borrowing
{
    /// <summary>Server arguments: team-b's quota of 8, class urgent = 100, a 20 s preemption grace.</summary>
    public static readonly string[] ServerArguments =
    [
        "--Orchestrator:Scheduling:Tenants:0:Name=team-b",
        "--Orchestrator:Scheduling:Tenants:0:Quotas:default:Gpus=8",
        "--Orchestrator:Scheduling:Tenants:0:MayBorrow=false",
        "--Orchestrator:Scheduling:PriorityClasses:0:Name=urgent",
        "--Orchestrator:Scheduling:PriorityClasses:0:Value=100",
        "--Orchestrator:Scheduling:Tuning:PreemptionGrace=00:00:20",
    ];

    /// <summary>Each attempt waits for the release file; SIGTERM makes it say so and exit 143.</summary>
    private const string HoldUntilReleased = """
        trap 'echo "attempt got SIGTERM"; exit 143' TERM
        echo "started on $ORCH_NODE, GPUs $CUDA_VISIBLE_DEVICES"
        while [ ! -f "$RELEASE" ]; do sleep 0.05; done
        echo "released"
        """;

    /// <summary>Creates team-a's pipeline <c>borrow</c>: steps left and right of 4 GPUs each, no retries (a preemption
    /// that used one would fail the run).</summary>
    public static Task CreateBorrowPipelineAsync(ServerProcess server, string release) =>
        server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            Tenant = "team-a",
            SpecYaml = $$"""
                name: borrow
                steps:
                  - name: left
                    resources: {gpus: 4}
                    env: {RELEASE: '{{release}}'}
                    command: [sh, -c, {{Quoted(HoldUntilReleased)}}]
                  - name: right
                    resources: {gpus: 4}
                    env: {RELEASE: '{{release}}'}
                    command: [sh, -c, {{Quoted(HoldUntilReleased)}}]
                """,
        }).ResponseAsync;

    /// <summary>A script as a YAML double-quoted scalar.</summary>
    public static string Quoted(string script) =>
        "\"" + script.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
