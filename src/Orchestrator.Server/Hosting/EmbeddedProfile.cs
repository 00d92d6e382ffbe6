using Orchestrator.Core.Storage;
using Orchestrator.Execution.Artifacts;
using Orchestrator.Grains.Hosting;
using Orchestrator.Storage;
using Orchestrator.Storage.Hosting;

namespace Orchestrator.Server.Hosting;

/// <summary>The embedded profile: one silo on localhost clustering; grain state, run index, step logs and artifacts in
/// files under the data directory.</summary>
internal static class EmbeddedProfile
{
    /// <summary>Registers the silo and the stores; returns where the local agent finds artifacts (the same directory).</summary>
    public static string AddEmbeddedProfile(this WebApplicationBuilder builder, ServerSettings settings, string dataDirectory)
    {
        var durability = settings.Durability.Equals("none", StringComparison.OrdinalIgnoreCase) ? Durability.None : Durability.Fsync;
        var artifacts = Path.Combine(dataDirectory, "artifacts");
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: ServerExtensions.ServiceId, clusterId: settings.ClusterId);
            silo.AddFileGrainStorageAsDefault(o =>
            {
                o.DataDirectory = dataDirectory;
                o.Durability = durability;
            });
            silo.AddFileRunIndex(o =>
            {
                o.DataDirectory = dataDirectory;
                o.Durability = durability;
            });
            silo.AddFileStepLogStore(o => o.DataDirectory = dataDirectory);
            silo.AddOrchestratorGrains();
        });
        builder.Services.AddSingleton<IArtifactStore>(new FileSystemArtifactStore(artifacts));
        return artifacts;
    }
}
