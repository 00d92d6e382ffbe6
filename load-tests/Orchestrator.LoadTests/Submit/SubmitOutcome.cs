namespace Orchestrator.LoadTests.Submit;

/// <summary>What one run of the submit benchmark measured.</summary>
/// <param name="ExitCode">0 when every call succeeded, 1 when any failed.</param>
/// <param name="Submit">SubmitRun's medians.</param>
/// <param name="Echo">Echo's medians.</param>
/// <param name="SubmitToEcho">Submit calls/s over echo calls/s.</param>
internal sealed record SubmitOutcome(int ExitCode, Medians Submit, Medians Echo, double SubmitToEcho);
