using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Core.Models;

/// <summary>Reads the JSON a training step writes for the registry: metrics as <c>{name: number}</c>, a baseline
/// profile with the proto's field names (<c>numeric.F.bin_edges</c>, <c>categorical.F.frequencies</c>), the same
/// shape <c>orch models register -f</c> reads.</summary>
public static class ModelVersionJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 16,
    };

    /// <summary>Reads a JSON object of finite numbers by name.</summary>
    /// <exception cref="FormatException">With the JSON path of the problem and the expected shape.</exception>
    public static IReadOnlyDictionary<string, double> ReadMetrics(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Dictionary<string, double>? metrics;
        try
        {
            metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(json, Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"is not a JSON object of numbers by name, e.g. {{\"auc\": 0.91}} ({Describe(e)})", e);
        }

        return metrics ?? throw new FormatException("is null: write a JSON object of numbers by name, e.g. {\"auc\": 0.91}");
    }

    /// <summary>Reads a baseline profile.</summary>
    /// <exception cref="FormatException">With the JSON path of the problem and the expected shape.</exception>
    public static BaselineProfile ReadProfile(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        BaselineProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<BaselineProfile>(json, Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"is not a baseline profile as JSON, e.g. {{\"numeric\": {{\"age\": {{\"bin_edges\": [30], \"proportions\": [0.4, 0.6]}}}}}} ({Describe(e)})", e);
        }

        return profile ?? throw new FormatException("is null: write a baseline profile as a JSON object with numeric and categorical features");
    }

    private static string Describe(JsonException e) =>
        e.Path is { Length: > 0 } p ? $"at {p}: {FirstSentence(e.Message)}" : FirstSentence(e.Message);

    // System.Text.Json appends the path and position in a second sentence; the path is given separately.
    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
