using Orchestrator.Execution.Gpus;

namespace Orchestrator.Execution.Tests.Gpus;

/// <summary>Verifies that nvidia-smi CSV output is read correctly in every format the driver prints, and that
/// anything unreadable is reported with its line rather than crashing or inventing a GPU.</summary>
public sealed class NvidiaSmiCsvTests
{
    private const long H200MemoryBytes = 143771L * 1024 * 1024;
    private const string H200Uuid = "GPU-48a35ae5-26cc-b221-0dfe-8d39c03f25ad";

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "nvidia-smi", name));

    [Fact]
    public void Parse_IdleH200Fixture_ReadsTheOneGpuAsIdle()
    {
        var result = NvidiaSmiCsv.Parse(Fixture("query_idle.csv"));

        Assert.Empty(result.Problems);
        var gpu = Assert.Single(result.Gpus);
        Assert.Equal(0, gpu.Index);
        Assert.Equal(H200Uuid, gpu.Uuid);
        Assert.Equal("NVIDIA H200", gpu.Name);
        Assert.Equal(H200MemoryBytes, gpu.MemoryTotalBytes);
        Assert.Equal(0L, gpu.MemoryUsedBytes);
        Assert.Equal(0.0, gpu.Utilization);
    }

    [Fact]
    public void Parse_BusyH200Fixture_ReadsFullUtilizationAndIgnoresTheAppendedComputeAppsBlock()
    {
        var result = NvidiaSmiCsv.Parse(Fixture("query_busy.csv"));

        Assert.Empty(result.Problems);
        var gpu = Assert.Single(result.Gpus);
        Assert.Equal(0, gpu.Index);
        Assert.Equal(H200Uuid, gpu.Uuid);
        Assert.Equal("NVIDIA H200", gpu.Name);
        Assert.Equal(H200MemoryBytes, gpu.MemoryTotalBytes);
        Assert.Equal(1011L * 1024 * 1024, gpu.MemoryUsedBytes);
        Assert.Equal(1.0, gpu.Utilization);
    }

    [Theory]
    [InlineData("query_agent_nounits.csv")]
    [InlineData("query_agent_noheader_nounits.csv")]
    public void Parse_RealOutputOfTheAgentsOwnQuery_ReadsTheGpu(string fixture)
    {
        var result = NvidiaSmiCsv.Parse(Fixture(fixture));

        Assert.Empty(result.Problems);
        Assert.Equal(new NvidiaSmiGpuRow(0, "GPU-4b4d16a3-9f3c-fafa-3f6b-b8f0ed26c747", "NVIDIA H200", H200MemoryBytes, 0, 0.0), Assert.Single(result.Gpus));
    }

    [Fact]
    public void Parse_NoHeaderNoUnits_ReadsColumnsInQueryOrder()
    {
        const string output = """
            0, GPU-aaaa, NVIDIA H200, 143771, 1011, 100
            1, GPU-bbbb, NVIDIA H200, 143771, 0, 37

            """;

        var result = NvidiaSmiCsv.Parse(output);

        Assert.Empty(result.Problems);
        Assert.Equal(2, result.Gpus.Count);
        Assert.Equal(new NvidiaSmiGpuRow(0, "GPU-aaaa", "NVIDIA H200", H200MemoryBytes, 1011L * 1024 * 1024, 1.0), result.Gpus[0]);
        Assert.Equal(new NvidiaSmiGpuRow(1, "GPU-bbbb", "NVIDIA H200", H200MemoryBytes, 0, 0.37), result.Gpus[1]);
    }

    [Fact]
    public void Parse_NoHeaderWithUnits_ReadsTheNumbers()
    {
        var result = NvidiaSmiCsv.Parse("3, GPU-cccc, NVIDIA A100-SXM4-80GB, 81920 MiB, 512 MiB, 45 %\n");

        var gpu = Assert.Single(result.Gpus);
        Assert.Equal(new NvidiaSmiGpuRow(3, "GPU-cccc", "NVIDIA A100-SXM4-80GB", 81920L << 20, 512L << 20, 0.45), gpu);
    }

    [Fact]
    public void Parse_HeaderInAnotherOrderWithNoUnitsInValues_MapsColumnsByName()
    {
        const string output = """
            name, utilization.gpu [%], index, memory.used [MiB], pci.bus_id, uuid, memory.total [MiB]
            NVIDIA L4, 12, 1, 100, 00000000:00:06.0, GPU-dddd, 23034
            """;

        var gpu = Assert.Single(NvidiaSmiCsv.Parse(output).Gpus);

        Assert.Equal(new NvidiaSmiGpuRow(1, "GPU-dddd", "NVIDIA L4", 23034L << 20, 100L << 20, 0.12), gpu);
    }

    [Fact]
    public void Parse_NotAvailableValues_BecomeNullWithoutProblems()
    {
        const string output = """
            index, uuid, name, memory.total [MiB], memory.used [MiB], utilization.gpu [%]
            0, GPU-eeee, NVIDIA H100 MIG 1g.10gb, [N/A], [N/A], [N/A]
            """;

        var result = NvidiaSmiCsv.Parse(output);

        Assert.Empty(result.Problems);
        Assert.Equal(new NvidiaSmiGpuRow(0, "GPU-eeee", "NVIDIA H100 MIG 1g.10gb", null, null, null), Assert.Single(result.Gpus));
    }

    [Fact]
    public void Parse_DriverErrorText_IsReportedWithItsLineAndYieldsNoGpu()
    {
        const string output = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n";

        var result = NvidiaSmiCsv.Parse(output);

        Assert.Empty(result.Gpus);
        var problem = Assert.Single(result.Problems);
        Assert.StartsWith("line 1: not a GPU row", problem);
        Assert.Contains("NVIDIA-SMI has failed", problem);
    }

    [Fact]
    public void Parse_GarbageLineBetweenGoodRows_KeepsTheGoodRowsAndNamesTheBadLine()
    {
        const string output = """
            0, GPU-aaaa, NVIDIA H200, 143771, 0, 0
            [N/A], GPU-zzzz, NVIDIA H200, 143771, 0, 0
            1, GPU-bbbb, NVIDIA H200, 143771, 0, 0
            """;

        var result = NvidiaSmiCsv.Parse(output);

        Assert.Equal([0, 1], result.Gpus.Select(g => g.Index));
        var problem = Assert.Single(result.Problems);
        Assert.StartsWith("line 2: not a GPU row: index \"[N/A]\" is not a number", problem);
    }

    [Fact]
    public void Parse_UnreadableMemoryValue_KeepsTheGpuAndReportsTheValue()
    {
        var result = NvidiaSmiCsv.Parse("0, GPU-aaaa, NVIDIA H200, lots, 0, 0\n");

        Assert.Null(Assert.Single(result.Gpus).MemoryTotalBytes);
        Assert.Contains("line 1: memory.total \"lots\" is not a memory size", Assert.Single(result.Problems));
    }

    [Fact]
    public void Parse_EmptyOutput_HasNoGpusAndNoProblems()
    {
        var result = NvidiaSmiCsv.Parse("");

        Assert.Empty(result.Gpus);
        Assert.Empty(result.Problems);
    }
}
