using System.Text.RegularExpressions;

using Microsoft.Extensions.Options;

namespace Orchestrator.Execution.Agent;

/// <summary>Refuses agent options that cannot work, saying which option and how to fix it.</summary>
public sealed partial class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = Problems(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem, if there is any.</summary>
    public static void EnsureValid(AgentOptions options)
    {
        var errors = Problems(options).ToList();
        if (errors.Count > 0) throw new OptionsValidationException(nameof(AgentOptions), typeof(AgentOptions), errors);
    }

    private static IEnumerable<string> Problems(AgentOptions options)
    {
        if (options.Gateways.Count == 0)
        {
            yield return "Gateways: no gateway address; give at least one, e.g. --gateway http://control-plane:5000 (or ORCH_GATEWAY)";
        }
        foreach (var gateway in options.Gateways)
        {
            if (!Uri.TryCreate(gateway, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return $"Gateways: \"{gateway}\" is not an http:// or https:// URL, e.g. http://control-plane:5000";
            }
        }
        if (!NodeNamePattern().IsMatch(options.NodeName ?? ""))
        {
            yield return $"NodeName: \"{options.NodeName}\" is not a node name: use 1-63 lowercase letters, digits, '-' or '.' (e.g. gpu-node-1)";
        }
        if (string.IsNullOrWhiteSpace(options.AdvertiseAddress) || options.AdvertiseAddress.Length > 253 || options.AdvertiseAddress.Any(char.IsWhiteSpace))
        {
            yield return $"AdvertiseAddress: \"{options.AdvertiseAddress}\" is not a host name or IP address; give the address other nodes reach this one at, e.g. --advertise-address 10.0.0.12";
        }
        foreach (var key in options.Labels.Keys.Where(k => string.IsNullOrWhiteSpace(k)))
        {
            yield return $"Labels: a label has an empty key (\"{key}\"); write labels as key=value";
        }
        if (options.CpuMillis <= 0) yield return $"CpuMillis: {options.CpuMillis} must be positive (4000 is four cores)";
        if (options.MemoryBytes <= 0) yield return $"MemoryBytes: {options.MemoryBytes} must be positive; set it where /proc/meminfo is missing";
        if (string.IsNullOrWhiteSpace(options.WorkDirectory)) yield return "WorkDirectory: empty; give a directory for step workspaces, e.g. ./.orch-agent";
        if (options.HeartbeatInterval <= TimeSpan.Zero) yield return $"HeartbeatInterval: {options.HeartbeatInterval} must be positive";
        if (options.KillGrace < TimeSpan.Zero) yield return $"KillGrace: {options.KillGrace} must not be negative";
        if (options.FinalAckWait < TimeSpan.Zero) yield return $"FinalAckWait: {options.FinalAckWait} must not be negative";
        if (options.SimulatedGpus < 0) yield return $"SimulatedGpus: {options.SimulatedGpus} must not be negative";
        if (options.SimulatedGpus > 0 && string.IsNullOrWhiteSpace(options.SimulatedGpuModel)) yield return "SimulatedGpuModel: empty; name the model, e.g. \"Simulated GPU\"";
        if (options.SimulatedGpuMemoryBytes <= 0) yield return $"SimulatedGpuMemoryBytes: {options.SimulatedGpuMemoryBytes} must be positive";
        if (options.ReconnectDelay <= TimeSpan.Zero || options.MaxReconnectDelay < options.ReconnectDelay)
        {
            yield return $"ReconnectDelay/MaxReconnectDelay: {options.ReconnectDelay}/{options.MaxReconnectDelay} must be positive with the cap at least the first delay";
        }
        if (options.LocalArtifactsDirectory is { } local && string.IsNullOrWhiteSpace(local))
        {
            yield return "LocalArtifactsDirectory: empty; give the shared artifact directory, or leave it unset to use the gateway";
        }
    }

    [GeneratedRegex("^[a-z0-9.-]{1,63}$")]
    private static partial Regex NodeNamePattern();
}
