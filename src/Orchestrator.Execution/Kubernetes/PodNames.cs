using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>Names and labels of step pods: a unique, valid pod name per attempt and replica, and label values that
/// Kubernetes accepts whatever the run id or step key looks like.</summary>
public static partial class PodNames
{
    /// <summary>Label saying the pod is a step pod of this executor.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>Value of <see cref="ManagedByLabel"/>.</summary>
    public const string ManagedBy = "orchestrator";

    /// <summary>Label holding the run id (made label-safe).</summary>
    public const string RunLabel = "orchestrator.io/run-id";

    /// <summary>Label holding the step key (made label-safe).</summary>
    public const string StepLabel = "orchestrator.io/step";

    /// <summary>Label holding the attempt number.</summary>
    public const string AttemptLabel = "orchestrator.io/attempt";

    /// <summary>Label holding the replica (0 unless the step is a gang).</summary>
    public const string ReplicaLabel = "orchestrator.io/replica";

    /// <summary>Label holding the node the scheduler chose.</summary>
    public const string NodeLabel = "orchestrator.io/node";

    /// <summary>Annotation holding the exact run id, which a label may have had to shorten.</summary>
    public const string RunAnnotation = "orchestrator.io/run-id";

    /// <summary>Annotation holding the exact step key.</summary>
    public const string StepAnnotation = "orchestrator.io/step";

    private const int MaxLabelValue = 63;
    private const int HashChars = 10;

    /// <summary>The pod's name: <c>orch-&lt;step&gt;-&lt;attempt&gt;[-r&lt;replica&gt;]-&lt;hash&gt;</c>, at most 63
    /// characters; the hash of the whole identity keeps two attempts apart even where the readable part is cut.</summary>
    public static string PodName(StepRef step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var hash = Hash($"{step.RunId}\n{step.StepKey}\n{step.Attempt}\n{step.Replica}");
        var suffix = step.Replica == 0
            ? $"-{step.Attempt.ToString(CultureInfo.InvariantCulture)}-{hash}"
            : $"-{step.Attempt.ToString(CultureInfo.InvariantCulture)}-r{step.Replica.ToString(CultureInfo.InvariantCulture)}-{hash}";
        var readable = DnsSafe(step.StepKey.ToLowerInvariant());
        var room = MaxLabelValue - "orch-".Length - suffix.Length;
        if (readable.Length > room) readable = readable[..room].TrimEnd('-');
        return readable.Length == 0 ? $"orch{suffix}" : $"orch-{readable}{suffix}";
    }

    /// <summary>The labels that find an attempt's pods again (<c>kubectl get pods -l orchestrator.io/run-id=...</c>).</summary>
    public static Dictionary<string, string> Labels(StepRef step, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ManagedByLabel] = ManagedBy,
            [RunLabel] = LabelValue(step.RunId),
            [StepLabel] = LabelValue(step.StepKey),
            [AttemptLabel] = step.Attempt.ToString(CultureInfo.InvariantCulture),
            [ReplicaLabel] = step.Replica.ToString(CultureInfo.InvariantCulture),
            [NodeLabel] = LabelValue(nodeName),
        };
    }

    /// <summary>A value Kubernetes accepts as a label value (at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends).
    /// A valid value is kept as it is; any other is cleaned and gets a hash of the original, so two values never share one.</summary>
    public static string LabelValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0 || LabelValuePattern().IsMatch(value)) return value;
        var hash = Hash(value);
        var cleaned = LabelUnsafe().Replace(value, "-").Trim('-', '_', '.');
        var room = MaxLabelValue - HashChars - 1;
        if (cleaned.Length > room) cleaned = cleaned[..room].TrimEnd('-', '_', '.');
        return cleaned.Length == 0 ? hash : $"{cleaned}-{hash}";
    }

    /// <summary>True for an RFC 1123 label (namespace names): 1-63 of [a-z0-9-], alphanumeric at both ends.</summary>
    public static bool IsDnsLabel(string value) => DnsLabelPattern().IsMatch(value);

    /// <summary>True for an RFC 1123 subdomain (node, pod and claim names): at most 253 characters of dot-separated labels.</summary>
    public static bool IsDnsSubdomain(string value) =>
        value.Length is > 0 and <= 253 && value.Split('.').All(IsDnsLabel);

    private static string DnsSafe(string value) => DnsUnsafe().Replace(value, "-").Trim('-');

    private static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..HashChars];

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex LabelUnsafe();

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex DnsUnsafe();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();
}
