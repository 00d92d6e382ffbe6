using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Prometheus;

namespace Orchestrator.Gateway.Services;

/// <summary>Counts gRPC calls by service, method and status code, and times them (streams: for their whole life).</summary>
public sealed class GrpcMetricsInterceptor : Interceptor
{
    private static readonly Counter Calls = Metrics.CreateCounter(
        "orchestrator_grpc_calls_total", "gRPC calls handled, by service, method and status code.", "service", "method", "code");

    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "orchestrator_grpc_call_duration_seconds", "Time to handle a gRPC call (streaming calls: until the stream ends).",
        new HistogramConfiguration { LabelNames = ["service", "method"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 18) });

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation) => Measure(context, () => continuation(request, context));

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        Measure(context, () => continuation(requestStream, context));

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Measure(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        Measure(context, async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        });

    private static async Task<T> Measure<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var (service, method) = Split(context.Method);
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        catch
        {
            code = StatusCode.Internal;
            throw;
        }
        finally
        {
            Calls.WithLabels(service, method, code.ToString()).Inc();
            Duration.WithLabels(service, method).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private static (string Service, string Method) Split(string fullMethod)
    {
        var slash = fullMethod.LastIndexOf('/');
        return slash <= 0 ? ("unknown", fullMethod) : (fullMethod[1..slash], fullMethod[(slash + 1)..]);
    }
}
