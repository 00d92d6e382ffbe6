using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Grains.Runs;

/// <summary>Run ids. A submit with a request id gets an id derived from it, so a retried submit lands on the same
/// run grain and the grain itself is the idempotency record: no separate key store, no extra write.</summary>
public static class RunIds
{
    /// <summary>A fresh random id.</summary>
    public static string New() => "run-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The id for a tenant's request id.</summary>
    public static string FromRequest(string tenant, string requestId) =>
        "run-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenant}\n{requestId}")))[..16];

    /// <summary>True for something shaped like a run id (used to reject junk before activating a grain).</summary>
    public static bool IsWellFormed(string id) =>
        id.Length == 20 && id.StartsWith("run-", StringComparison.Ordinal) && id[4..].All(char.IsAsciiHexDigitLower);
}
