using Google.Protobuf;

using Grpc.Core;

using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Artifacts;

namespace Orchestrator.Execution.Tests.Support;

/// <summary>The fake gateway's ArtifactService over a real <see cref="FileSystemArtifactStore"/>.</summary>
public sealed class FakeArtifactService(FileSystemArtifactStore store) : ArtifactService.ArtifactServiceBase
{
    public override async Task<Artifact> Upload(IAsyncStreamReader<UploadArtifactRequest> requestStream, ServerCallContext context)
    {
        using var content = new MemoryStream();
        string? expected = null;
        var first = true;
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (first && message.ExpectedDigest.Length > 0) expected = message.ExpectedDigest;
            first = false;
            message.Data.WriteTo(content);
        }
        content.Position = 0;
        try
        {
            var info = await store.PutAsync(content, expected, context.CancellationToken);
            return new Artifact { Digest = info.Digest, Size = info.Size };
        }
        catch (InvalidDataException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }

    public override async Task Download(DownloadArtifactRequest request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context)
    {
        await using var content = await store.OpenReadAsync(request.Digest, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"artifact {request.Digest} not found"));
        var buffer = new byte[100_000];
        int read;
        while ((read = await content.ReadAsync(buffer, context.CancellationToken)) > 0)
        {
            await responseStream.WriteAsync(new ArtifactChunk { Data = ByteString.CopyFrom(buffer, 0, read) });
        }
    }

    public override async Task<Artifact> StatArtifact(DownloadArtifactRequest request, ServerCallContext context)
    {
        var info = await store.StatAsync(request.Digest, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"artifact {request.Digest} not found"));
        return new Artifact { Digest = info.Digest, Size = info.Size };
    }
}
