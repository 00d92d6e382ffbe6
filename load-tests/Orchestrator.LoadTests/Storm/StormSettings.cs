namespace Orchestrator.LoadTests.Storm;

/// <summary>What the storm benchmark runs.</summary>
/// <param name="Models">Models that drift in the storm, each with a retraining policy.</param>
/// <param name="Tenants">Tenants the models are spread over (round robin), each with its own <c>retrain</c> pipeline.</param>
/// <param name="MaxConcurrent">Budget: retraining runs at once, all tenants.</param>
/// <param name="PerTenant">Budget: retraining runs at once per tenant.</param>
/// <param name="PerMinute">Budget: retraining runs started per minute.</param>
/// <param name="Burst">Budget: starts allowed at once after a quiet spell.</param>
/// <param name="RetrainSeconds">How long the simulated agents take to run a retraining step.</param>
/// <param name="OrdinaryRate">Ordinary runs submitted per second, through the calm phase and the storm.</param>
/// <param name="CalmSeconds">Length of the calm phase before the storm.</param>
/// <param name="StormSpread">The storm's window closes are spread over this long (at most a minute).</param>
/// <param name="Timeout">How long the retraining runs may take to be submitted after the storm's last window closed.</param>
/// <param name="Tenant">Tenant of the ordinary pipeline and runs.</param>
internal sealed record StormSettings(
    int Models, int Tenants, int MaxConcurrent, int PerTenant, double PerMinute, int Burst, TimeSpan RetrainSeconds,
    int OrdinaryRate, TimeSpan CalmSeconds, TimeSpan StormSpread, TimeSpan Timeout, string Tenant)
{
    /// <summary>The tenant of model <paramref name="index"/>.</summary>
    public string TenantOf(int index) => $"storm-{index % Tenants}";

    /// <summary>The name of model <paramref name="index"/>.</summary>
    public static string ModelName(int index) => $"drifter-{index:D5}";
}
