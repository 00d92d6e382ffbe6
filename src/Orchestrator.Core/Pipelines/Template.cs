namespace Orchestrator.Core.Pipelines;

/// <summary>What a <c>{{...}}</c> reference in a template points at.</summary>
public enum ReferenceKind
{
    /// <summary><c>{{params.NAME}}</c></summary>
    Parameter,
    /// <summary><c>{{steps.STEP.outputs.NAME}}</c></summary>
    StepOutput,
    /// <summary><c>{{item}}</c>: the current fan-out item.</summary>
    Item,
    /// <summary><c>{{inputs.NAME}}</c>: the path of the step's input file (resolved by the agent).</summary>
    Input,
    /// <summary><c>{{outputs.NAME}}</c>: the path the step writes the output to (resolved by the agent).</summary>
    Output,
    /// <summary><c>{{run.id}}</c></summary>
    RunId,
    /// <summary><c>{{run.status}}</c>: the run's outcome so far (exit handler only).</summary>
    RunStatus,
}

/// <summary>One <c>{{...}}</c> reference.</summary>
/// <param name="Kind">What it points at.</param>
/// <param name="Name">Parameter, input or output name; for a step output, the output name.</param>
/// <param name="Step">For a step output, the step name; otherwise null.</param>
public sealed record Reference(ReferenceKind Kind, string Name, string? Step = null)
{
    /// <summary>The reference as it is written, e.g. <c>{{steps.train.outputs.model}}</c>.</summary>
    public override string ToString() => Kind switch
    {
        ReferenceKind.Parameter => $"{{{{params.{Name}}}}}",
        ReferenceKind.StepOutput => $"{{{{steps.{Step}.outputs.{Name}}}}}",
        ReferenceKind.Item => "{{item}}",
        ReferenceKind.Input => $"{{{{inputs.{Name}}}}}",
        ReferenceKind.Output => $"{{{{outputs.{Name}}}}}",
        ReferenceKind.RunId => "{{run.id}}",
        ReferenceKind.RunStatus => "{{run.status}}",
        _ => Name,
    };
}

/// <summary>A piece of a template: literal text, or a reference.</summary>
/// <param name="Text">Literal text when <paramref name="Reference"/> is null.</param>
/// <param name="Reference">The reference, or null for literal text.</param>
public sealed record TemplatePart(string Text, Reference? Reference);

/// <summary>A parsed template string: literal text interleaved with references.</summary>
/// <param name="Source">The original text.</param>
/// <param name="Parts">Literal and reference parts in order.</param>
public sealed record Template(string Source, IReadOnlyList<TemplatePart> Parts)
{
    /// <summary>The references in order of appearance.</summary>
    public IEnumerable<Reference> References => Parts.Where(p => p.Reference is not null).Select(p => p.Reference!);

    /// <summary>True when the whole template is exactly one reference (no literal text around it).</summary>
    public bool IsSingleReference => Parts.Count == 1 && Parts[0].Reference is not null;
}
