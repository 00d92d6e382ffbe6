namespace Orchestrator.Core.Pipelines;

/// <summary>Checks one step (or the exit handler) and collects its errors in the <see cref="PipelineScope"/>.</summary>
internal sealed partial class StepValidator
{
    private static readonly Template Empty = new("", []);

    private readonly PipelineScope scope;
    private readonly StepSpec step;
    private readonly string path;
    private readonly bool isExitHandler;
    private readonly HashSet<string> inputNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> outputNames = new(StringComparer.Ordinal);
    private readonly List<(string Step, string Field)> dependencies = [];

    private StepValidator(PipelineScope scope, StepSpec step, string path, bool isExitHandler)
    {
        this.scope = scope;
        this.step = step;
        this.path = path;
        this.isExitHandler = isExitHandler;
    }

    /// <summary>Checks <paramref name="step"/>, whose fields are reported under <paramref name="path"/> (<c>steps[3]</c> or <c>exit_handler</c>).</summary>
    public static CheckedStep Check(PipelineScope scope, StepSpec step, string path, bool isExitHandler) =>
        new StepValidator(scope, step, path, isExitHandler).Check();

    private bool HasForeach => step.Foreach.Length > 0;

    private CheckedStep Check()
    {
        if (step.Register is not null) return CheckRegisterStep();
        var outputs = CheckOutputs();
        foreach (var name in step.Inputs.Keys) inputNames.Add(name);
        var foreachParameter = CheckForeach();
        CheckAfter();
        var inputs = CheckInputs();
        var command = CheckCommand();
        var env = CheckEnv();
        scope.CheckText($"{path}.image", step.Image);
        var when = CheckWhen();
        var resources = ResourceChecks.Resources(scope, step.Resources, $"{path}.resources");
        var retry = ResourceChecks.Retry(scope, step.Retry, $"{path}.retry");
        var timeout = ResourceChecks.Timeout(scope, step.Timeout, $"{path}.timeout");
        var pools = ResourceChecks.Pools(scope, step.Resources.Pools, $"{path}.resources.pools");
        var expected = ResourceChecks.ExpectedDuration(scope, step.ExpectedDuration, $"{path}.expected_duration");
        var replicas = ResourceChecks.Replicas(scope, step.Resources.Replicas, $"{path}.resources.replicas");

        // The exit handler reports on the run; reusing a cached report would hide this run's outcome.
        var cache = !isExitHandler && (scope.Spec.Cache ?? true) && (step.Cache ?? true);
        var definition = new StepDefinition(
            step.Name, command, step.Image, env, inputs, outputs, resources, retry, timeout, when, foreachParameter,
            [], cache, isExitHandler, pools, expected, replicas);
        return new CheckedStep(definition, dependencies);
    }

    private List<string> CheckOutputs()
    {
        var outputs = new List<string>(step.Outputs.Count);
        for (var k = 0; k < step.Outputs.Count; k++)
        {
            var name = step.Outputs[k];
            var field = $"{path}.outputs[{k}]";
            if (!scope.CheckText(field, name)) continue;
            if (!PipelineNames.IsArtifactName(name))
            {
                scope.Add(field, $"\"{TemplateParser.ForMessage(name)}\" is not a valid output name: use 1-63 letters, digits, '_', '.' or '-', not starting with '.' or '-' (e.g. model.pt)");
            }
            else if (!outputNames.Add(name))
            {
                scope.Add(field, $"output \"{name}\" is declared twice: output names must be unique in a step");
            }

            outputs.Add(name);
        }

        return outputs;
    }

    private string? CheckForeach()
    {
        if (!HasForeach) return null;
        var field = $"{path}.foreach";
        if (!scope.CheckText(field, step.Foreach)) return null;
        if (isExitHandler)
        {
            scope.Add(field, "the exit handler cannot fan out: it runs once, after every other step; remove foreach");
            return null;
        }

        Template template;
        try
        {
            template = TemplateParser.Parse(step.Foreach);
        }
        catch (FormatException e)
        {
            scope.Add(field, e.Message);
            return null;
        }

        if (!template.IsSingleReference || template.Parts[0].Reference!.Kind != ReferenceKind.Parameter)
        {
            scope.Add(field, $"foreach must be exactly one list parameter, e.g. '{{{{params.learning_rates}}}}', got \"{TemplateParser.ForMessage(step.Foreach)}\"");
            return null;
        }

        var name = template.Parts[0].Reference!.Name;
        if (!scope.Parameters.TryGetValue(name, out var parameter))
        {
            scope.Add(field, $"unknown parameter \"{name}\": declare it as a list parameter ({scope.DescribeParameters()})");
            return null;
        }

        if (parameter.Type != ParameterType.List)
        {
            scope.Add(field, $"parameter \"{name}\" is {ParameterValues.TypeName(parameter.Type)}: foreach needs a list parameter, e.g. type list with default [0.1, 0.01]");
            return null;
        }

        return name;
    }

    private void CheckAfter()
    {
        for (var k = 0; k < step.After.Count; k++)
        {
            var name = step.After[k];
            var field = $"{path}.after[{k}]";
            if (!scope.CheckText(field, name)) continue;
            if (name == step.Name)
            {
                scope.Add(field, $"step \"{name}\" cannot run after itself: remove it from after");
            }
            else if (name == scope.ExitHandlerName && !scope.StepIndex.ContainsKey(name))
            {
                scope.Add(field, $"\"{name}\" is the exit handler, which runs after every other step: no step can run after it");
            }
            else if (!scope.StepIndex.ContainsKey(name))
            {
                scope.Add(field, $"unknown step \"{TemplateParser.ForMessage(name)}\" ({scope.DescribeSteps()})");
            }
            else if (!isExitHandler)
            {
                // The exit handler already waits for every step, so its after adds nothing.
                dependencies.Add((name, $"{path}.after"));
            }
        }
    }

    private Dictionary<string, Template> CheckInputs()
    {
        var inputs = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var (name, value) in step.Inputs.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var field = $"{path}.inputs.{name}";
            if (!scope.CheckText(field, name) || !scope.CheckText(field, value)) continue;
            if (!PipelineNames.IsArtifactName(name))
            {
                scope.Add(field, $"\"{TemplateParser.ForMessage(name)}\" is not a valid input name: use 1-63 letters, digits, '_', '.' or '-', not starting with '.' or '-' (e.g. dataset)");
            }

            var template = ParseTemplate(field, value);
            inputs[name] = template;
            var references = template.References.ToList();
            var upstream = references.FirstOrDefault(r => r.Kind == ReferenceKind.StepOutput);
            if (upstream is not null)
            {
                CheckUpstreamInput(field, template, upstream, references.Count);
                continue;
            }

            foreach (var reference in references)
            {
                switch (reference.Kind)
                {
                    case ReferenceKind.Input:
                    case ReferenceKind.Output:
                        scope.Add(field, $"{reference} is a file path known only when the step runs and cannot be used in an input: use parameters, {{{{item}}}}, {{{{run.id}}}}, literal text or one upstream output");
                        break;
                    default:
                        CheckCommonReference(field, reference);
                        break;
                }
            }
        }

        return inputs;
    }

    private void CheckUpstreamInput(string field, Template template, Reference upstream, int referenceCount)
    {
        if (isExitHandler)
        {
            scope.Add(field, $"the exit handler cannot read step outputs ({upstream}): it also runs when steps failed or were skipped, so their outputs may not exist; pass what it needs through parameters");
            return;
        }

        if (!template.IsSingleReference || referenceCount != 1)
        {
            scope.Add(field, $"an upstream output must be the whole input: write exactly '{upstream}' with nothing around it (it is delivered as the producer's file)");
            return;
        }

        if (CheckStepOutput(field, upstream, "input")) dependencies.Add((upstream.Step!, field));
    }

    private List<Template> CheckCommand()
    {
        var field = $"{path}.command";
        if (step.Command.Count == 0)
        {
            scope.Add(field, "command is empty: give the program and its arguments, e.g. [python, train.py, --lr, '{{params.lr}}']");
            return [];
        }

        if (step.Command.Count > PipelineLimits.MaxCommandElements)
        {
            scope.Add(field, $"command has {step.Command.Count:N0} elements, more than the limit of {PipelineLimits.MaxCommandElements:N0}: pass long argument lists in an input file");
            return [];
        }

        var command = new List<Template>(step.Command.Count);
        for (var k = 0; k < step.Command.Count; k++)
        {
            var elementField = $"{field}[{k}]";
            if (!scope.CheckText(elementField, step.Command[k]))
            {
                command.Add(Empty);
                continue;
            }

            var template = ParseTemplate(elementField, step.Command[k]);
            CheckExecutionReferences(elementField, template);
            command.Add(template);
        }

        return command;
    }

    private Dictionary<string, Template> CheckEnv()
    {
        var env = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var (key, value) in step.Env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var field = $"{path}.env.{key}";
            if (!scope.CheckText(field, key) || !scope.CheckText(field, value)) continue;
            if (!PipelineNames.IsEnvName(key))
            {
                scope.Add(field, $"\"{TemplateParser.ForMessage(key)}\" is not a valid environment variable name: use letters, digits and '_', not starting with a digit");
            }
            else if (key.StartsWith("ORCH_", StringComparison.Ordinal))
            {
                scope.Add(field, $"\"{key}\" is reserved: names starting with ORCH_ are set by the agent; rename it");
            }
            else if (key == "CUDA_VISIBLE_DEVICES")
            {
                scope.Add(field, "CUDA_VISIBLE_DEVICES is reserved: the agent sets it to the GPUs the scheduler assigned; request GPUs with resources.gpus instead");
            }

            var template = ParseTemplate(field, value);
            CheckExecutionReferences(field, template);
            env[key] = template;
        }

        return env;
    }

    private WhenExpression? CheckWhen()
    {
        if (step.When.Length == 0) return null;
        var field = $"{path}.when";
        if (!scope.CheckText(field, step.When)) return null;
        WhenExpression when;
        try
        {
            when = WhenExpression.Parse(step.When);
        }
        catch (FormatException e)
        {
            scope.Add(field, e.Message);
            return null;
        }

        foreach (var reference in when.References)
        {
            switch (reference.Kind)
            {
                case ReferenceKind.Parameter:
                case ReferenceKind.Item:
                    CheckCommonReference(field, reference);
                    break;
                case ReferenceKind.StepOutput:
                    if (CheckStepOutput(field, reference, "condition") && CheckNotFanOut(field, reference) && !isExitHandler)
                    {
                        dependencies.Add((reference.Step!, field));
                    }

                    break;
                default:
                    scope.Add(field, $"a condition cannot read {reference}: it may use {{{{params.NAME}}}}, {{{{steps.STEP.outputs.NAME}}}} and {{{{item}}}}");
                    break;
            }
        }

        return when;
    }

    private Template ParseTemplate(string field, string text)
    {
        try
        {
            return TemplateParser.Parse(text);
        }
        catch (FormatException e)
        {
            scope.Add(field, e.Message);
            return Empty;
        }
    }
}
