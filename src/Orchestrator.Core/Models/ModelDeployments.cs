namespace Orchestrator.Core.Models;

/// <summary>A model deployment: where a model serves traffic (a region, a product surface). Monitors and rollouts are per
/// deployment; a caller that names none gets <see cref="Default"/>.</summary>
public static class ModelDeployments
{
    /// <summary>The deployment a request that names none belongs to.</summary>
    public const string Default = "default";

    /// <summary>A deployment name: a DNS label, like a model name.</summary>
    public static bool IsName(string name) => ModelNames.IsModelName(name);

    /// <summary>The grain key of a model deployment: <c>tenant/model/deployment</c>.</summary>
    public static string Key(string tenant, string model, string deployment) =>
        $"{tenant}/{model}/{(deployment.Length == 0 ? Default : deployment)}";

    /// <summary>The parts of a key made by <see cref="Key"/>.</summary>
    public static (string Tenant, string Model, string Deployment) Parse(string key)
    {
        var first = key.IndexOf('/', StringComparison.Ordinal);
        var last = key.LastIndexOf('/');
        return first < 0 || last == first ? (key[..Math.Max(first, 0)], key[(first + 1)..], Default) : (key[..first], key[(first + 1)..last], key[(last + 1)..]);
    }
}
