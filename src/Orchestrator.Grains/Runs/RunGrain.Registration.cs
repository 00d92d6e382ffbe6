using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Grains.Models;

namespace Orchestrator.Grains.Runs;

/// <summary>Register steps: executed here, by the control plane, once their StepReady is durable. The result is an
/// event like an agent's report, so a restart between the two executes the registration again, and the request id
/// (run, step, attempt) makes the registry answer with the version it already stored.</summary>
public sealed partial class RunGrain
{
    /// <summary>Largest metrics or profile output read from the artifact store (a profile holds at most 1,000
    /// features with 10,000 sample values each).</summary>
    private const long MaxRegistrationInputBytes = 64L * 1024 * 1024;

    /// <summary>Registers the version of a Ready register step and stages how it ended; refusals fail the step, other
    /// errors leave it Ready for the next reconciliation.</summary>
    private async Task ExecuteRegistrationAsync(string key, int attempt)
    {
        var step = Machine.Find(key);
        if (step is not { State: StepState.Ready } || step.Attempt != attempt) return;
        var registration = Machine.ResolveForDispatch(step.Index)?.Registration;
        Transition transition;
        if (registration is null)
        {
            // Cannot happen for a step that became Ready (its upstream outputs existed then).
            transition = Machine.OnRegistrationRefused(key, attempt, "the register step no longer resolves: its upstream outputs are gone", time.GetUtcNow());
        }
        else
        {
            transition = await RegisterAsync(key, attempt, registration);
        }

        if (transition.Disposition != TransitionDisposition.Applied) return;
        await Transact(() =>
        {
            Stage(transition.Events);
            return AdvanceAsync();
        });
    }

    private async Task<Transition> RegisterAsync(string key, int attempt, ResolvedRegistration registration)
    {
        var d = _definition!;
        var model = GrainFactory.GetGrain<IModelGrain>(ModelGrain.KeyOf(d.Tenant, registration.Model));
        var actor = $"run:{RunId}";
        var reason = $"registered by run {RunId}, step {key}";
        int version;
        try
        {
            var metrics = registration.Metrics is { } m ? await ReadOutputTextAsync("metrics", m) : null;
            var profile = registration.Profile is { } p ? await ReadOutputTextAsync("profile", p) : null;
            var source = new ModelSource { RunId = RunId, StepKey = ArtifactProducerOf(key), Pipeline = d.Pipeline, PipelineVersion = d.PipelineVersion };
            var spec = PipelineRegistration.Build(registration, source, metrics, profile);
            var result = await model.RegisterVersionAsync(spec, PipelineRegistration.RequestId(RunId, key, attempt), reason, actor);
            version = result.Version.Record.Version;
            if (registration.Alias.Length > 0)
                await model.SetAliasAsync(registration.Alias, version.ToString(CultureInfo.InvariantCulture), reason, actor);
            await StoreVersionOutputAsync(version);
        }
        catch (FormatException e)
        {
            return Machine.OnRegistrationRefused(key, attempt, e.Message, time.GetUtcNow());
        }
        catch (OrchestratorException e)
        {
            var fields = e.Fields.Count > 0 ? ": " + string.Join("; ", e.Fields.Select(f => $"{f.Field}: {f.Message}")) : $": {e.Message}";
            return Machine.OnRegistrationRefused(key, attempt, $"the registry refused the version of model {registration.Model}{fields}", time.GetUtcNow());
        }

        logger.LogInformation("Run {RunId}: step {Step} registered version {Version} of model {Model}", RunId, key, version, registration.Model);
        return Machine.OnRegistered(key, attempt, version, time.GetUtcNow());
    }

    /// <summary>The step that wrote the artifact: the version's lineage names the training step, not the register step.</summary>
    private string ArtifactProducerOf(string key)
    {
        var step = Machine.Find(key)!;
        var producer = step.Plan.Definition.Register!.Artifact.Step;
        return step.Plan.Upstream.Select(u => Machine.Steps[u]).FirstOrDefault(s => s.Plan.Name == producer)?.Key ?? key;
    }

    /// <summary>An output's text: inline when the agent reported it, else from the artifact store.</summary>
    private async Task<string> ReadOutputTextAsync(string field, StepOutput output)
    {
        if (output.Value is { } inline) return inline;
        var store = ServiceProvider.GetService<IArtifactStore>()
            ?? throw new FormatException($"register.{field}: output {output.Name} ({output.Size:N0} bytes) is not small text and this server has no artifact store to read it from");
        if (output.Size > MaxRegistrationInputBytes)
            throw new FormatException($"register.{field}: output {output.Name} is {output.Size:N0} bytes, more than the {MaxRegistrationInputBytes:N0} a register step reads");
        await using var stream = await store.OpenReadAsync(output.Digest)
            ?? throw new FormatException($"register.{field}: output {output.Name} (sha256 {output.Digest}) is missing from the artifact store");
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        try
        {
            return await reader.ReadToEndAsync();
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException($"register.{field}: output {output.Name} is not UTF-8 text: write JSON");
        }
    }

    /// <summary>Puts the <c>version</c> output's content in the artifact store, so a downstream step can take it as an input file.</summary>
    private async Task StoreVersionOutputAsync(int version)
    {
        if (ServiceProvider.GetService<IArtifactStore>() is not { } store) return;
        var output = RunMachine.VersionOutput(version);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(output.Value!));
        await store.PutAsync(content, output.Digest);
    }
}
