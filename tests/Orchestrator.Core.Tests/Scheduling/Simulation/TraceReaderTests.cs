using Orchestrator.Core.Scheduling.Simulation;

namespace Orchestrator.Core.Tests.Scheduling.Simulation;

/// <summary>Verifies the trace readers on the real Muri, Philly and Tiresias files (counts, first rows, units, format
/// detection) and that bad rows give errors naming the file, line and column.</summary>
public sealed class TraceReaderTests
{
    [Fact]
    public void Muri_Reads400Jobs_InMilliseconds_WithModelAsHistoryKey()
    {
        var trace = TraceReader.Read(TraceFixtures.Muri);

        Assert.Equal(TraceFormat.Muri, trace.Format);
        Assert.Equal(400, trace.Jobs.Count);
        Assert.Equal(new TraceJob("0", "default", TimeSpan.Zero, TimeSpan.FromSeconds(5095), 8, "gpt2", 2), trace.Jobs[0]);
        Assert.Equal(new TraceJob("1", "default", TimeSpan.FromSeconds(1534), TimeSpan.FromSeconds(281), 8, "vgg16", 3), trace.Jobs[1]);
        Assert.Equal(TimeSpan.FromSeconds(2344695), trace.Jobs[^1].Submit);
        Assert.Equal(220_836_929, trace.Jobs.Sum(j => j.Duration.TotalSeconds * j.Gpus), 3);
    }

    [Fact]
    public void Philly_Reads82247Jobs_SubmitRelativeToEarliest_ClusterAsTenant()
    {
        var trace = TraceReader.Read(TraceFixtures.Philly);

        Assert.Equal(TraceFormat.Philly, trace.Format);
        Assert.Equal(82_247, trace.Jobs.Count);
        Assert.Equal(15, trace.Jobs.Select(j => j.Tenant).Distinct().Count());
        Assert.Equal(TimeSpan.Zero, trace.Jobs[0].Submit);
        Assert.All(trace.Jobs.Zip(trace.Jobs.Skip(1)), pair => Assert.True(pair.First.Submit <= pair.Second.Submit));

        // The file's first row, 2017-10-09 07:01:55, is 34 days 20:31:14 after the earliest, 2017-09-04 10:30:41.
        var first = trace.Jobs.Single(j => j.Line == 2);
        Assert.Equal(new TraceJob("job-2", "11cb48", new TimeSpan(34, 20, 31, 14), TimeSpan.FromSeconds(66), 1, "", 2), first);
        Assert.Equal(128, trace.Jobs.Max(j => j.Gpus));
    }

    [Fact]
    public void Tiresias_Reads60Jobs_InSeconds()
    {
        var trace = TraceReader.Read(TraceFixtures.Tiresias60);

        Assert.Equal(TraceFormat.Tiresias, trace.Format);
        Assert.Equal(60, trace.Jobs.Count);
        Assert.Equal(new TraceJob("0", "default", TimeSpan.Zero, TimeSpan.FromSeconds(164), 1, "vgg19", 2), trace.Jobs[0]);
        Assert.Equal(new TraceJob("59", "default", TimeSpan.FromSeconds(1779), TimeSpan.FromSeconds(122), 1, "inception3", 61), trace.Jobs[^1]);
    }

    [Fact]
    public void ForcedFormat_OverridesDetection_AndItsUnits()
    {
        // Read as Tiresias, Muri's millisecond values are taken as seconds.
        var trace = TraceReader.Read(TraceFixtures.Muri, TraceFormat.Tiresias);

        Assert.Equal(TraceFormat.Tiresias, trace.Format);
        Assert.Equal(TimeSpan.FromSeconds(5_095_000), trace.Jobs[0].Duration);
    }

    [Theory]
    [InlineData("job_id,num_gpu,submit_time,duration\n0,1,abc,10\n", 2, 3, "submit_time", "'abc' is not a number of seconds")]
    [InlineData("job_id,num_gpu,submit_time,duration\n0,1,0,10\n1,0,5,10\n", 3, 2, "num_gpu", "0 is less than 1")]
    [InlineData("job_id,num_gpu,submit_time,duration\n0,1.5,0,10\n", 2, 2, "num_gpu", "'1.5' is not a whole number")]
    [InlineData("job_id,num_gpu,submit_time,duration\n0,1,0,-3\n", 2, 4, "duration", "-3 is negative")]
    [InlineData("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66.0,1,66.0,a\nyesterday,5,1,5,a\n", 3, 1, "timestamp", "'yesterday' is not a date")]
    [InlineData("job_id,num_gpu,submit_time,duration\n0,1,0,10\n0,1,0,10\n", 3, 1, "job_id", "job id '0' already appeared on line 2")]
    public void BadRow_IsRejected_NamingFileLineAndColumn(string csv, int line, int column, string columnName, string problem)
    {
        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Read("t.csv", new StringReader(csv)));

        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.ColumnNumber);
        Assert.Equal(columnName, error.Column);
        Assert.StartsWith($"t.csv line {line}, column {column} ({columnName}): ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void RowWithMissingFields_IsRejected_NamingTheLine()
    {
        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Read("t.csv", new StringReader("job_id,num_gpu,submit_time,duration\n0,1,0\n")));

        Assert.Equal("t.csv line 2: 3 fields where the header has 4; every row needs one value per header column", error.Message);
    }

    [Fact]
    public void UnknownHeader_AsksForFormat()
    {
        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Read("t.csv", new StringReader("a,b,c\n1,2,3\n")));

        Assert.Equal(1, error.Line);
        Assert.Contains("unknown trace format", error.Message);
        Assert.Contains("--format muri|philly|tiresias", error.Message);
    }

    [Fact]
    public void ForcedFormat_WithAMissingColumn_NamesIt()
    {
        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Read("t.csv", new StringReader("job_id,num_gpu,submit_time,duration\n0,1,0,10\n"), TraceFormat.Philly));

        Assert.Contains("no 'timestamp', 'num_gpus' columns, which a philly trace needs", error.Message);
    }

    [Fact]
    public void MissingFile_SaysSo()
    {
        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Read(Path.Combine(Path.GetTempPath(), "no-such-trace.csv")));

        Assert.Contains("no such file", error.Message);
    }

    [Fact]
    public void JobsAreSortedBySubmission_KeepingFileOrderForTies()
    {
        var trace = TraceReader.Read("t.csv", new StringReader("job_id,num_gpu,submit_time,duration\na,1,5,1\nb,1,0,1\nc,1,5,1\nd,1,0,1\n"));

        Assert.Equal(["b", "d", "a", "c"], trace.Jobs.Select(j => j.Id));
    }
}
