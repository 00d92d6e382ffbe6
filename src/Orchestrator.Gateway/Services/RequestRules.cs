using System.Text.RegularExpressions;
using Orchestrator.Grains;

namespace Orchestrator.Gateway.Services;

/// <summary>Checks on request fields the grains do not see, with messages that name the field and the fix.</summary>
public static partial class RequestRules
{
    /// <summary>Largest pipeline spec accepted (its protobuf encoding).</summary>
    public const int MaxSpecBytes = 1024 * 1024;

    /// <summary>The tenant, defaulted to <c>default</c> when empty.</summary>
    public static string Tenant(string tenant, string field = "tenant")
    {
        if (tenant.Length == 0) return "default";
        if (!DnsLabel().IsMatch(tenant))
            throw OrchestratorException.Invalid(field, $"'{Clip(tenant)}' is not a tenant name: use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit");
        return tenant;
    }

    /// <summary>A pipeline name.</summary>
    public static string Pipeline(string name, string field = "pipeline")
    {
        if (name.Length == 0) throw OrchestratorException.Invalid(field, "is required: give the pipeline's name, e.g. 'churn'");
        if (!DnsLabel().IsMatch(name))
            throw OrchestratorException.Invalid(field, $"'{Clip(name)}' is not a pipeline name: use 1-63 lowercase letters, digits and '-'");
        return name;
    }

    /// <summary>A run id.</summary>
    public static string RunId(string id, string field = "run_id")
    {
        if (id.Length == 0) throw OrchestratorException.Invalid(field, "is required: give a run id such as run-1a2b3c4d5e6f7a8b (see `orch run list`)");
        if (!Grains.Runs.RunIds.IsWellFormed(id))
            throw OrchestratorException.Invalid(field, $"'{Clip(id)}' is not a run id: run ids look like run-1a2b3c4d5e6f7a8b (see `orch run list`)");
        return id;
    }

    /// <summary>A node name.</summary>
    public static string Node(string name, string field = "node")
    {
        if (!NodeName().IsMatch(name))
            throw OrchestratorException.Invalid(field, $"'{Clip(name)}' is not a node name: use 1-63 lowercase letters, digits, '-' and '.'");
        return name;
    }

    /// <summary>Labels: keys like Kubernetes label keys, values up to 256 characters.</summary>
    public static Dictionary<string, string> Labels(IDictionary<string, string> labels, string field = "labels")
    {
        if (labels.Count > 64) throw new OrchestratorException(ErrorKind.ResourceExhausted, $"{field}: at most 64 labels, got {labels.Count}", field);
        foreach (var (key, value) in labels)
        {
            if (!LabelKey().IsMatch(key))
                throw OrchestratorException.Invalid($"{field}.{Clip(key)}", "a label key is 1-63 letters, digits, '-', '_', '.' or '/', starting and ending with a letter or digit");
            if (value.Length > 256) throw OrchestratorException.Invalid($"{field}.{key}", "a label value is at most 256 characters");
        }

        return new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }

    /// <summary>A label selector <c>k=v,k2=v2</c>.</summary>
    public static Dictionary<string, string> Selector(string selector, string field = "label_selector")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(selector)) return result;
        foreach (var part in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw OrchestratorException.Invalid(field, $"'{Clip(part)}' is not key=value; write e.g. 'team=ml,env=prod'");
            result[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        return Labels(result, field);
    }

    /// <summary>The text shortened for an error message.</summary>
    public static string Clip(string text) => text.Length <= 80 ? text : text[..77] + "...";

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")]
    private static partial Regex NodeName();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9_./-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();
}
