using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Storage;

namespace Orchestrator.Storage.Redis.RunIndex;

/// <summary>How run summaries are stored: JSON with enum names, as in the file index, so both read alike when debugging.</summary>
internal static class RunSummaryJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The summary as UTF-8 JSON.</summary>
    public static byte[] Serialize(RunSummary summary) => JsonSerializer.SerializeToUtf8Bytes(summary, Options);

    /// <summary>The summary stored in <paramref name="json"/>.</summary>
    public static RunSummary Deserialize(byte[] json) =>
        JsonSerializer.Deserialize<RunSummary>(json, Options) ?? throw new JsonException("The stored run summary is null.");
}
