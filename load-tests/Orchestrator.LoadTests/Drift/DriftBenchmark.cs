using System.Diagnostics;
using System.Globalization;

using Orchestrator.Core.Drift;

namespace Orchestrator.LoadTests.Drift;

/// <summary>Times <see cref="QuantileBinning.Accumulate"/> (a SIMD compare against all edges up to 32 edges, binary
/// search beyond) against a linear scan over the edges on the same batches,
/// single-threaded, each for a bounded time per round.</summary>
internal sealed class DriftBenchmark(DriftSettings settings, TextWriter output)
{
    // A monitor receives records in batches; 4,096 values of one feature per batch, 16 batches cycled.
    private const int BatchSize = 4096;
    private const int Batches = 16;

    public int Run()
    {
        var random = new Random(settings.Seed);
        var features = new QuantileBinning[settings.Features];
        var columns = new double[settings.Features][][];
        for (var f = 0; f < settings.Features; f++)
        {
            // Each feature its own location and scale; the reference profile cut from 10,000 values, the batches shifted a little.
            double mean = (random.NextDouble() * 100) - 50, scale = 0.1 + (random.NextDouble() * 10);
            features[f] = QuantileBinning.FromReference(Normals(random, 10_000, mean, scale), settings.Bins);
            columns[f] = [.. Enumerable.Range(0, Batches).Select(_ => Normals(random, BatchSize, mean + (0.2 * scale), scale))];
        }

        output.WriteLine($"{settings.Features} features x {settings.Bins} bins, batches of {BatchSize:N0} values, {settings.Rounds} rounds of {settings.TimePerRound.TotalSeconds:0.##} s per path");
        var fast = Measure("QuantileBinning.Accumulate", features, columns, FastPath);
        var naive = Measure("naive linear scan", features, columns, NaivePath);
        var agree = fast.Counts.Zip(naive.Counts).All(pair => pair.First.SequenceEqual(pair.Second));
        output.WriteLine($"speed-up: {fast.ValuesPerSecond / naive.ValuesPerSecond:0.00}x; one pass over the same batches counted {(agree ? "the same" : "DIFFERENT")} bins on both paths");
        output.WriteLine($"target >= 10,000,000 binned values/s per core: {(fast.ValuesPerSecond >= 10_000_000 ? "met" : "NOT met")}");
        return agree ? 0 : 1;
    }

    private static void FastPath(QuantileBinning binning, ReadOnlySpan<double> values, Span<long> counts) => binning.Accumulate(values, counts);

    private static void NaivePath(QuantileBinning binning, ReadOnlySpan<double> values, Span<long> counts)
    {
        // The edges as a plain array, so the naive path pays for its scan, not for interface calls.
        var edges = binning.Edges.ToArray();
        foreach (var value in values)
        {
            var bin = 0;
            while (bin < edges.Length && edges[bin] <= value) bin++;
            counts[bin]++;
        }
    }

    private Result Measure(string name, QuantileBinning[] features, double[][][] columns, BinPath path)
    {
        // One untimed pass: warms the JIT and gives the counts the two paths are compared on.
        var reference = features.Select(f => new long[f.BinCount]).ToArray();
        for (var b = 0; b < Batches; b++)
        {
            for (var f = 0; f < features.Length; f++) path(features[f], columns[f][b], reference[f]);
        }

        var rates = new List<double>();
        var counts = features.Select(f => new long[f.BinCount]).ToArray();
        for (var round = 0; round < settings.Rounds; round++)
        {
            long values = 0;
            var clock = Stopwatch.StartNew();
            var batch = 0;
            while (clock.Elapsed < settings.TimePerRound)
            {
                for (var f = 0; f < features.Length; f++) path(features[f], columns[f][batch], counts[f]);
                values += (long)BatchSize * features.Length;
                batch = (batch + 1) % Batches;
            }

            rates.Add(values / clock.Elapsed.TotalSeconds);
        }

        rates.Sort();
        var median = rates[rates.Count / 2];
        output.WriteLine($"  {name,-44} {median.ToString("N0", CultureInfo.InvariantCulture),14} values/s  ({1e9 / median:0.00} ns/value; rounds {string.Join(", ", rates.Select(r => (r / 1e6).ToString("0.0", CultureInfo.InvariantCulture)))} M/s)");
        return new Result(median, reference);
    }

    private static double[] Normals(Random random, int count, double mean, double scale)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Box-Muller: enough for a benchmark's inputs.
            var u = 1.0 - random.NextDouble();
            values[i] = mean + (scale * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return values;
    }

    private delegate void BinPath(QuantileBinning binning, ReadOnlySpan<double> values, Span<long> counts);

    private sealed record Result(double ValuesPerSecond, long[][] Counts);
}
