using Google.Protobuf;
using Grpc.Core;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Ingest;

/// <summary>Client streams whose messages are encoded once before the measurement, so the load generator spends its
/// time writing bytes, not encoding them, and the figures show the server's cost.</summary>
internal static class PreEncodedStreams
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>MonitoringService.StreamPredictions with each message an encoded <see cref="PredictionBatch"/>.</summary>
    public static readonly Method<byte[], StreamPredictionsResponse> StreamPredictions = new(
        MethodType.ClientStreaming, "orchestrator.v1.MonitoringService", "StreamPredictions", Bytes,
        Marshallers.Create(r => r.ToByteArray(), StreamPredictionsResponse.Parser.ParseFrom));

    /// <summary>DiagnosticsService.Sink with each message an encoded <see cref="EchoRequest"/>.</summary>
    public static readonly Method<byte[], SinkResponse> Sink = new(
        MethodType.ClientStreaming, "orchestrator.v1.DiagnosticsService", "Sink", Bytes,
        Marshallers.Create(r => r.ToByteArray(), SinkResponse.Parser.ParseFrom));
}
