using Grpc.Core;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>DiagnosticsService</c>: an echo and a counting sink through the same server pipeline (interceptors included) but no grain.</summary>
public sealed class DiagnosticsService : Contracts.V1.DiagnosticsService.DiagnosticsServiceBase
{
    /// <inheritdoc />
    public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoResponse { Payload = request.Payload });

    /// <inheritdoc />
    public override async Task<SinkResponse> Sink(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var response = new SinkResponse();
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            response.Messages++;
            response.Bytes += message.Payload.Length;
        }

        return response;
    }
}
