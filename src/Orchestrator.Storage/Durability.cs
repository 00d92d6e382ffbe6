namespace Orchestrator.Storage;

/// <summary>How far a write must have travelled before its task completes.</summary>
public enum Durability
{
    /// <summary>On disk: the file is flushed with fsync once per group of writes. The default.</summary>
    Fsync = 0,

    /// <summary>In the operating system's page cache only: survives a process crash, not a power loss. Tests only.</summary>
    None = 1,
}
