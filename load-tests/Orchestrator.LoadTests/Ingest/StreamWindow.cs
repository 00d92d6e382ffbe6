using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.LoadTests.Hosting;

namespace Orchestrator.LoadTests.Ingest;

/// <summary>What one measured window of streaming gave.</summary>
/// <param name="Path">Which path: records, columns, or the raw sink of either's bytes.</param>
/// <param name="Records">Records sent inside the measured time.</param>
/// <param name="Seconds">From the start of the measured time until the server had answered every stream.</param>
/// <param name="ServerCpuShare">The server's CPU time over those seconds, as a share of all cores; null when unknown.</param>
/// <param name="BytesPerRecord">Encoded bytes per record of the path's messages.</param>
internal sealed record StreamWindow(string Path, long Records, double Seconds, double? ServerCpuShare, double BytesPerRecord)
{
    /// <summary>Records per second.</summary>
    public double RecordsPerSecond => Seconds > 0 ? Records / Seconds : 0;

    /// <summary>Streams pre-encoded messages on every stream for the warm-up and the measured time, then ends the streams
    /// and waits for every answer; <paramref name="taken"/> reads how many messages the server says it took, which must
    /// be all sent. Records sent during the warm-up are not counted, but still have to be taken before the window ends,
    /// so the rate errs low. <paramref name="sentPerModel"/> adds up the records each model was sent.</summary>
    public static async Task<StreamWindow> RunAsync<TResponse>(string path, GrpcChannel[] channels, int streams, Method<byte[], TResponse> method,
        byte[][] messages, int recordsPerMessage, Func<TResponse, long> taken, long[]? sentPerModel, TimeSpan warmUp, TimeSpan duration, int? serverProcess,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + Ticks(warmUp);
        var measureTo = measureFrom + Ticks(duration);
        TimeSpan? cpuFrom = null;
        var cpuTaken = 0;
        long counted = 0;
        var deadline = DateTime.UtcNow + warmUp + duration + TimeSpan.FromSeconds(120);

        var workers = Enumerable.Range(0, streams).Select(stream => Task.Run(async () =>
        {
            var invoker = channels[stream % channels.Length].CreateCallInvoker();
            using var call = invoker.AsyncClientStreamingCall(method, null, new CallOptions(deadline: deadline, cancellationToken: cancellationToken));
            long sent = 0;
            // Each stream walks the models from its own offset, so every model gets traffic from several streams.
            for (var k = stream; ; k += streams)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= measureTo) break;
                if (now >= measureFrom)
                {
                    if (Interlocked.Exchange(ref cpuTaken, 1) == 0) cpuFrom = ProcessCpu.Used(serverProcess);
                    Interlocked.Add(ref counted, recordsPerMessage);
                }

                var model = k % messages.Length;
                await call.RequestStream.WriteAsync(messages[model], cancellationToken);
                sent++;
                if (sentPerModel is not null) Interlocked.Add(ref sentPerModel[model], recordsPerMessage);
            }

            await call.RequestStream.CompleteAsync();
            var answer = taken(await call.ResponseAsync);
            if (answer != sent)
                throw new InvalidOperationException($"{path}: stream {stream} sent {sent} messages but the server says it took {answer}");
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        var end = Stopwatch.GetTimestamp();
        var seconds = Stopwatch.GetElapsedTime(Math.Min(measureFrom, end), end).TotalSeconds;
        var cpuTo = ProcessCpu.Used(serverProcess);
        double? share = cpuFrom is { } a && cpuTo is { } b && seconds > 0 ? (b - a).TotalSeconds / seconds / Environment.ProcessorCount : null;
        var bytes = messages.Average(m => (double)m.Length) / recordsPerMessage;
        return new StreamWindow(path, counted, seconds, share, bytes);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
