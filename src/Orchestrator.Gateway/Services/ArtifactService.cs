using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;
using Orchestrator.Grains;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>ArtifactService</c>: streams artifacts in and out of the artifact store for standalone agents.</summary>
public sealed class ArtifactService(IArtifactStore artifacts) : Contracts.V1.ArtifactService.ArtifactServiceBase
{
    private const int ChunkSize = 256 * 1024;

    /// <inheritdoc />
    public override async Task<Artifact> Upload(IAsyncStreamReader<UploadArtifactRequest> requestStream, ServerCallContext context)
    {
        var cancel = context.CancellationToken;
        if (!await requestStream.MoveNext(cancel)) throw OrchestratorException.Invalid("data", "the upload stream was empty");
        var first = requestStream.Current;
        var expected = first.ExpectedDigest.Length == 0 ? null : Digest(first.ExpectedDigest, "expected_digest");

        var pipe = new Pipe();
        var store = Task.Run(() => artifacts.PutAsync(pipe.Reader.AsStream(), expected, cancel), cancel);
        try
        {
            await pipe.Writer.WriteAsync(first.Data.Memory, cancel);
            while (await requestStream.MoveNext(cancel)) await pipe.Writer.WriteAsync(requestStream.Current.Data.Memory, cancel);
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e);
            throw;
        }

        ArtifactInfo info;
        try
        {
            info = await store;
        }
        catch (InvalidDataException e)
        {
            throw OrchestratorException.Invalid("expected_digest", e.Message);
        }

        return new Artifact { Digest = info.Digest, Size = info.Size };
    }

    /// <inheritdoc />
    public override async Task Download(DownloadArtifactRequest request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context)
    {
        var digest = Digest(request.Digest, "digest");
        await using var content = await artifacts.OpenReadAsync(digest, context.CancellationToken)
            ?? throw OrchestratorException.NotFound($"no artifact with digest {digest}");
        var buffer = new byte[ChunkSize];
        int read;
        while ((read = await content.ReadAsync(buffer, context.CancellationToken)) > 0)
            await responseStream.WriteAsync(new ArtifactChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<Artifact> StatArtifact(DownloadArtifactRequest request, ServerCallContext context)
    {
        var digest = Digest(request.Digest, "digest");
        var info = await artifacts.StatAsync(digest, context.CancellationToken) ?? throw OrchestratorException.NotFound($"no artifact with digest {digest}");
        return new Artifact { Digest = info.Digest, Size = info.Size };
    }

    private static string Digest(string digest, string field)
    {
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..] : digest;
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower))
            throw OrchestratorException.Invalid(field, $"'{RequestRules.Clip(digest)}' is not a sha256 digest: 64 lowercase hex characters");
        return hex;
    }
}
