using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Storage.RunIndex;

namespace Orchestrator.Storage.Hosting;

/// <summary>Opens the run index with the runtime's storage on silo start and closes it last on stop, so that it is
/// open whenever a grain runs.</summary>
/// <remarks>The index is resolved at start, not when the silo collects its participants: configuration validators
/// run in between and give a bad data directory a clearer message than the constructor would.</remarks>
internal sealed class RunIndexLifecycle(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    private FileRunIndex? _index;

    /// <summary>Subscribes to the silo lifecycle.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(FileRunIndex), ServiceLifecycleStage.RuntimeStorageServices, OpenAsync, CloseAsync);

    private Task OpenAsync(CancellationToken cancellationToken)
    {
        _index = services.GetRequiredService<FileRunIndex>();
        return _index.OpenAsync(cancellationToken);
    }

    private Task CloseAsync(CancellationToken cancellationToken) => _index?.DisposeAsync().AsTask() ?? Task.CompletedTask;
}
