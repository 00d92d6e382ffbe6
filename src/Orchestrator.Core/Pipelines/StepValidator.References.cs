namespace Orchestrator.Core.Pipelines;

/// <summary>The reference rules: which <c>{{...}}</c> may appear in command, env, inputs and conditions.</summary>
internal sealed partial class StepValidator
{
    /// <summary>References in command and env: file paths of inputs and outputs are fine, upstream outputs are not.</summary>
    private void CheckExecutionReferences(string field, Template template)
    {
        foreach (var reference in template.References)
        {
            switch (reference.Kind)
            {
                case ReferenceKind.StepOutput:
                    scope.Add(field, $"{reference} cannot be used here directly: declare an input {reference.Name}: '{reference}' and use {{{{inputs.{reference.Name}}}}} (the file's path)");
                    break;
                case ReferenceKind.Input when !inputNames.Contains(reference.Name):
                    scope.Add(field, $"{reference} names an input this step does not declare: add it to inputs" + Declared("inputs", inputNames));
                    break;
                case ReferenceKind.Output when !outputNames.Contains(reference.Name):
                    scope.Add(field, $"{reference} names an output this step does not declare: add {reference.Name} to outputs" + Declared("outputs", outputNames));
                    break;
                case ReferenceKind.Input:
                case ReferenceKind.Output:
                    break;
                default:
                    CheckCommonReference(field, reference, allowRunStatus: isExitHandler);
                    break;
            }
        }
    }

    /// <summary>Parameters, item, run.id and run.status: the same rules wherever they appear.</summary>
    private void CheckCommonReference(string field, Reference reference, bool allowRunStatus = false)
    {
        switch (reference.Kind)
        {
            case ReferenceKind.Parameter when !scope.Parameters.ContainsKey(reference.Name):
                scope.Add(field, $"unknown parameter \"{reference.Name}\" in {reference}: declare it under parameters ({scope.DescribeParameters()})");
                break;
            case ReferenceKind.Item when !HasForeach:
                scope.Add(field, "{{item}} is set only in a step with foreach: add foreach: '{{params.LIST}}' or remove {{item}}");
                break;
            case ReferenceKind.RunStatus when !allowRunStatus:
                scope.Add(field, "{{run.status}} is known only when the run ends: use it in the exit handler's command or env");
                break;
        }
    }

    /// <summary>Checks that a step-output reference names another, existing regular step and an output it declares.</summary>
    private bool CheckStepOutput(string field, Reference reference, string usage)
    {
        var producer = reference.Step!;
        if (producer == step.Name)
        {
            scope.Add(field, $"step \"{producer}\" cannot read its own output in its {usage}: write it to {{{{outputs.{reference.Name}}}}} and read it in a downstream step");
            return false;
        }

        if (!scope.StepIndex.TryGetValue(producer, out var index))
        {
            scope.Add(field, producer == scope.ExitHandlerName
                ? $"{reference} reads the exit handler, which runs after every other step: no step can read its outputs"
                : $"unknown step \"{producer}\" in {reference} ({scope.DescribeSteps()})");
            return false;
        }

        var declared = DeclaredOutputs(scope.Spec.Steps[index]);
        if (!declared.Contains(reference.Name, StringComparer.Ordinal))
        {
            scope.Add(field, declared.Count == 0
                ? $"step \"{producer}\" declares no outputs: add {reference.Name} to its outputs"
                : $"step \"{producer}\" declares no output \"{reference.Name}\": its outputs are {PipelineScope.ListNames(declared)}");
            return false;
        }

        return true;
    }

    private bool CheckNotFanOut(string field, Reference reference)
    {
        var producer = scope.Spec.Steps[scope.StepIndex[reference.Step!]];
        if (producer.Foreach.Length == 0) return true;
        scope.Add(field, $"step \"{producer.Name}\" fans out (foreach), so {reference} has one value per item: collect them in a downstream step (an input '{reference}' receives them all) and test that step's output");
        return false;
    }

    private static string Declared(string what, HashSet<string> names) =>
        names.Count == 0 ? $" (the step declares no {what})" : $" (declared {what}: {PipelineScope.ListNames(names.Order(StringComparer.Ordinal))})";
}
