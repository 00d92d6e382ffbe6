using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Runs;

/// <summary>Register steps: the control plane executes them while they are Ready; their end is an event like any step's.</summary>
public sealed partial class RunMachine
{
    /// <summary>The registry stored (or had already stored) <paramref name="version"/> for the attempt: the step
    /// succeeds with one output, <c>version</c>, the number as text.</summary>
    public Transition OnRegistered(string key, int attempt, int version, DateTimeOffset now)
    {
        if (RegistrationStep(key, attempt) is not { } step) return StaleOrDuplicate(key, attempt);
        var events = new List<RunEvent>(2);
        StartIfPending(events, now);
        events.Add(new RunEvent
        {
            Type = RunEventType.StepSucceeded, StepKey = step.Key, Attempt = attempt, Actor = "registry", Time = now,
            Outputs = [VersionOutput(version)], Message = $"registered version {version} of model {step.Plan.Definition.Register!.Model}",
        });
        return Transition.Apply(events);
    }

    /// <summary>The registration was refused (bad output content, a version the registry rejects): the step fails
    /// at once; a retry would be refused the same way.</summary>
    public Transition OnRegistrationRefused(string key, int attempt, string message, DateTimeOffset now)
    {
        if (RegistrationStep(key, attempt) is not { } step) return StaleOrDuplicate(key, attempt);
        return Transition.Apply([new RunEvent
        {
            Type = RunEventType.StepFailed, StepKey = step.Key, Attempt = attempt, Actor = "registry", Time = now, Message = message,
        }]);
    }

    /// <summary>The <c>version</c> output: small text, content-addressed like any output.</summary>
    public static StepOutput VersionOutput(int version)
    {
        var text = version.ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(text);
        return new StepOutput(RegisterDefinition.VersionOutput, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, text);
    }

    private StepRuntime? RegistrationStep(string key, int attempt) =>
        Find(key) is { State: StepState.Ready, Plan.Definition.IsRegister: true } step && step.Attempt == attempt ? step : null;

    private Transition StaleOrDuplicate(string key, int attempt) =>
        Find(key) is { } step && step.Attempt == attempt && step.State.IsTerminal() ? Transition.Duplicate : Transition.Stale;
}
