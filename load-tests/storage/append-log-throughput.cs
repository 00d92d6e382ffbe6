#:project ../../src/Orchestrator.Storage/Orchestrator.Storage.csproj
#:property OutputType=Exe
#:property GenerateDocumentationFile=false
#:property PublishAot=false

// Durable small writes per second through AppendLog with many concurrent writers (a benchmark, not a test).
// Run: dotnet run load-tests/storage/append-log-throughput.cs -c Release -- [writers=256] [seconds=10] [valueBytes=200] [Fsync|None] [dir]
using System.Diagnostics;
using Orchestrator.Storage;
using Orchestrator.Storage.AppendLogs;

var writers = args.Length > 0 ? int.Parse(args[0]) : 256;
var seconds = args.Length > 1 ? double.Parse(args[1]) : 10;
var valueBytes = args.Length > 2 ? int.Parse(args[2]) : 200;
var durability = args.Length > 3 ? Enum.Parse<Durability>(args[3], ignoreCase: true) : Durability.Fsync;
var directory = args.Length > 4 ? args[4] : Path.Combine(Path.GetTempPath(), "append-log-bench-" + Guid.NewGuid().ToString("N"));

var value = new byte[valueBytes];
Random.Shared.NextBytes(value);
var log = await AppendLog.OpenAsync(directory, new AppendLogOptions { Durability = durability });
try
{
    // Warm-up: JIT and file growth out of the measurement.
    await Task.WhenAll(Enumerable.Range(0, writers).Select(w => log.PutAsync($"writer/{w}/warm", value)));

    var latencies = new List<double>[writers];
    var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
    var started = Stopwatch.GetTimestamp();
    var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var mine = latencies[w] = new List<double>(100_000);
        var n = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var t0 = Stopwatch.GetTimestamp();
            await log.PutAsync($"writer/{w}/{n % 1000}", value);
            mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            n++;
        }

        return n;
    })));
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    var total = counts.Sum();
    Console.WriteLine($"writers={writers} value={valueBytes}B durability={durability} seconds={elapsed:F1}");
    Console.WriteLine($"writes={total} writes/s={total / elapsed:F0} p50={all[all.Length / 2]:F2}ms p99={all[(int)(all.Length * 0.99)]:F2}ms max={all[^1]:F2}ms");
    Console.WriteLine($"log bytes={new FileInfo(Path.Combine(directory, AppendLog.LogFileName)).Length}");
}
finally
{
    await log.DisposeAsync();
    if (args.Length <= 4)
    {
        Directory.Delete(directory, recursive: true);
    }
}
