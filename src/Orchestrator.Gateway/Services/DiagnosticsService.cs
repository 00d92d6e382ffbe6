using Grpc.Core;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>DiagnosticsService</c>: an echo through the same server pipeline (interceptors included) but no grain.</summary>
public sealed class DiagnosticsService : Contracts.V1.DiagnosticsService.DiagnosticsServiceBase
{
    /// <inheritdoc />
    public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoResponse { Payload = request.Payload });
}
