using System.Text.Json;

namespace Orchestrator.LoadTests.Reporting;

/// <summary>The one-line machine-readable result each benchmark prints last (snake_case keys).</summary>
internal static class JsonLine
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false };

    /// <summary>Serializes the result on one line.</summary>
    public static string Of<T>(T result) => JsonSerializer.Serialize(result, Options);
}
