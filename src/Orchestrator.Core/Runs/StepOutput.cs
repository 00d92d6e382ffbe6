namespace Orchestrator.Core.Runs;

/// <summary>One output of a finished step: a content-addressed artifact.</summary>
/// <param name="Name">Output name as declared by the step.</param>
/// <param name="Digest">sha256 of the content, lowercase hex.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Value">The content itself when it is small UTF-8 text, else null; used by conditions.</param>
public sealed record StepOutput(string Name, string Digest, long Size, string? Value);
