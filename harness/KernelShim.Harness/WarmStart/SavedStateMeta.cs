namespace KernelShim.Harness.WarmStart;

/// <summary>
/// What is known about a saved VM state (meta.json beside it): the READY the guest had sent
/// when it was stopped, which a restored clone must repeat when asked (HELLO), and how it was made.
/// </summary>
public sealed record SavedStateMeta
{
    public required ulong BootId { get; init; }
    public required uint ProtocolVersion { get; init; }
    public required string AgentVersion { get; init; }
    public required string OsVersion { get; init; }
    public int ModuleError { get; init; }
    public long Bytes { get; init; }
    /// <summary>
    /// The guest's RAM is the file <see cref="SavedState.RamFile"/> (a restore maps it copy-on-write)
    /// and the state holds only the devices; otherwise the state is QEMU's whole migration stream.
    /// </summary>
    public bool HasRamFile { get; init; }
    /// <summary>The cold boot's start to READY, and how long saving took (seconds).</summary>
    public double ColdReadySeconds { get; init; }
    public double SaveSeconds { get; init; }
    public DateTimeOffset SavedAt { get; init; }
    /// <summary>What the key was computed from, for people reading the cache.</summary>
    public string KeyedOn { get; init; } = "";
}
