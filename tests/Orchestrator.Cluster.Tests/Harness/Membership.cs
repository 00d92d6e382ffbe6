using System.Text.Json;
using StackExchange.Redis;

namespace Orchestrator.Cluster.Tests.Harness;

/// <summary>Reads Orleans' membership table of one cluster from Redis (the hash <c>orchestrator/members/&lt;cluster id&gt;</c>):
/// what the surviving silos agreed on, the ground truth for "the dead silo is detected".</summary>
internal sealed class Membership(IConnectionMultiplexer redis, string clusterId)
{
    private const int Active = 3;

    /// <summary>How many silos the table lists as active.</summary>
    public async Task<int> ActiveCountAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync($"orchestrator/members/{clusterId}");
        return entries.Count(e => IsActive(e.Value));
    }

    /// <summary>The raw table, for a failure message.</summary>
    public async Task<string> DumpAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync($"orchestrator/members/{clusterId}");
        return string.Join("\n", entries.Select(e => $"{e.Name} = {e.Value}"));
    }

    private static bool IsActive(RedisValue value)
    {
        try
        {
            using var json = JsonDocument.Parse(value.ToString());
            return Status(json.RootElement) is { } status && (status.ValueKind == JsonValueKind.Number ? status.GetInt32() == Active : status.GetString() == "Active");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonElement? Status(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals("Status", StringComparison.OrdinalIgnoreCase)) return property.Value;
            if (property.Value.ValueKind == JsonValueKind.Object && Status(property.Value) is { } inner) return inner;
        }

        return null;
    }
}
