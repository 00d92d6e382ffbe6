using Orchestrator.Core.Models;

namespace Orchestrator.Core.Pipelines;

/// <summary>The rules of a register step: no process fields, a valid model, and upstream outputs it reads.</summary>
internal sealed partial class StepValidator
{
    /// <summary>The alias a gate-checked promotion sets; a pipeline never claims it implicitly.</summary>
    private const string ChampionAlias = "champion";

    /// <summary>The outputs <paramref name="producer"/> declares: a register step declares <c>version</c> only.</summary>
    private static IReadOnlyList<string> DeclaredOutputs(StepSpec producer) =>
        producer.Register is null ? producer.Outputs : RegisterDefinition.Outputs;

    private CheckedStep CheckRegisterStep()
    {
        var register = step.Register!;
        var field = $"{path}.register";
        CheckNoProcessFields();
        if (isExitHandler)
        {
            scope.Add(field, "the exit handler cannot register a model: it also runs when steps failed; register in a step that reads the training step's outputs");
        }

        CheckAfter();
        var when = CheckWhen();
        var model = CheckModel($"{field}.model", register.Model);
        var artifact = CheckRegisterOutput($"{field}.artifact", register.Artifact, required: true);
        var metrics = CheckRegisterOutput($"{field}.metrics", register.Metrics, required: false);
        var profile = CheckRegisterOutput($"{field}.profile", register.Profile, required: false);
        var trainingData = CheckRegisterOutput($"{field}.training_data", register.TrainingData, required: false);
        var parameters = CheckRegisterTemplates($"{field}.parameters", register.Parameters, ModelNames.IsKey,
            "letters, digits, '_', '.', ':', '/' or '-', 1-128 characters (e.g. learning_rate)");
        var tags = CheckRegisterTemplates($"{field}.tags", register.Tags, ModelNames.IsTagKey,
            "1-63 letters, digits, '-', '_', '.' or '/', starting and ending with a letter or digit (e.g. trigger)");
        CheckAlias($"{field}.alias", register.Alias);

        var definition = new StepDefinition(
            step.Name, [], "", new Dictionary<string, Template>(), new Dictionary<string, Template>(), RegisterDefinition.Outputs,
            new ResourceRequest(0, 0, 0, ""), RetryPolicy.None, null, when, null, [], CacheEnabled: false, isExitHandler,
            Register: new RegisterDefinition(model, artifact ?? new Reference(ReferenceKind.StepOutput, "", ""), metrics, profile,
                trainingData, parameters, tags, register.Alias));
        return new CheckedStep(definition, dependencies);
    }

    /// <summary>A register step runs no process: every field that shapes one is refused rather than ignored.</summary>
    private void CheckNoProcessFields()
    {
        const string why = "a register step runs no process (the control plane registers the model itself)";
        if (step.Command.Count > 0) scope.Add($"{path}.command", $"{why}: remove command");
        if (step.Image.Length > 0) scope.Add($"{path}.image", $"{why}: remove image");
        if (step.Env.Count > 0) scope.Add($"{path}.env", $"{why}: remove env");
        if (step.Inputs.Count > 0) scope.Add($"{path}.inputs", $"{why}: remove inputs and name upstream outputs under register (artifact, metrics, profile, training_data)");
        if (step.Outputs.Count > 0) scope.Add($"{path}.outputs", $"{why}: remove outputs; its one output, {RegisterDefinition.VersionOutput}, is the registered version's number");
        var r = step.Resources;
        if (r.Cpu.Length > 0 || r.Memory.Length > 0 || r.Gpus != 0 || r.GpuModel.Length > 0 || r.Pools.Count > 0 || r.Replicas > 1)
            scope.Add($"{path}.resources", $"{why}: remove resources");
        var retry = step.Retry;
        if (retry.Limit != 0 || retry.Backoff.Length > 0 || retry.Factor != 0 || retry.MaxBackoff.Length > 0)
            scope.Add($"{path}.retry", "a register step is not retried: the registry refuses the same version again; fix the upstream output and retry the run");
        if (step.Timeout.Length > 0) scope.Add($"{path}.timeout", $"{why}: remove timeout");
        if (step.ExpectedDuration.Length > 0) scope.Add($"{path}.expected_duration", $"{why}: remove expected_duration");
        if (HasForeach) scope.Add($"{path}.foreach", "a register step cannot fan out: register once, from a step that collects the fan-out's results; remove foreach");
    }

    private string CheckModel(string field, string model)
    {
        if (!scope.CheckText(field, model)) return model;
        if (model.Length == 0) scope.Add(field, "model is required: name the model to register a version of, e.g. churn");
        else if (!ModelNames.IsModelName(model))
            scope.Add(field, $"\"{TemplateParser.ForMessage(model)}\" is not a valid model name: use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. churn)");
        return model;
    }

    /// <summary>An upstream output the version is built from: exactly one <c>{{steps.STEP.outputs.NAME}}</c>.</summary>
    private Reference? CheckRegisterOutput(string field, string text, bool required)
    {
        if (!scope.CheckText(field, text)) return null;
        if (text.Length == 0)
        {
            if (required) scope.Add(field, "artifact is required: name the upstream output that is the model file, e.g. '{{steps.train.outputs.model}}'");
            return null;
        }

        var template = ParseTemplate(field, text);
        if (!template.IsSingleReference || template.Parts[0].Reference is not { Kind: ReferenceKind.StepOutput } reference)
        {
            scope.Add(field, $"must be exactly one upstream output, e.g. '{{{{steps.train.outputs.model}}}}', got \"{TemplateParser.ForMessage(text)}\"");
            return null;
        }

        if (!CheckStepOutput(field, reference, "register step") || !CheckNotFanOut(field, reference)) return null;
        dependencies.Add((reference.Step!, field));
        return reference;
    }

    private Dictionary<string, Template> CheckRegisterTemplates(string field, IReadOnlyDictionary<string, string> entries, Func<string, bool> isValidKey, string keyRule)
    {
        var result = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var entryField = $"{field}.{key}";
            if (!scope.CheckText(entryField, key) || !scope.CheckText(entryField, value)) continue;
            if (!isValidKey(key)) scope.Add(entryField, $"\"{TemplateParser.ForMessage(key)}\" is not a valid name: use {keyRule}");
            var template = ParseTemplate(entryField, value);
            foreach (var reference in template.References)
            {
                if (reference.Kind is ReferenceKind.Parameter or ReferenceKind.RunId)
                {
                    CheckCommonReference(entryField, reference);
                    continue;
                }

                scope.Add(entryField, $"{reference} cannot be used here: a register step's parameters and tags may use {{{{params.NAME}}}}, {{{{run.id}}}} and literal text");
            }

            result[key] = template;
        }

        return result;
    }

    private void CheckAlias(string field, string alias)
    {
        if (!scope.CheckText(field, alias) || alias.Length == 0) return;
        if (alias == ChampionAlias)
            scope.Add(field, "a pipeline cannot make a version champion: promote it with 'orch models alias' after its gates pass; use another alias, e.g. candidate");
        else if (!ModelNames.IsAlias(alias))
            scope.Add(field, $"\"{TemplateParser.ForMessage(alias)}\" is not a valid alias: use 1-63 lowercase letters, digits or '-', not only digits and not latest (e.g. candidate)");
    }
}
