namespace KernelShim.Harness.WarmStart;

/// <summary>
/// Warm starts for one kind of VM: where saved states live and the key of this VM's
/// (<see cref="WarmStartKey"/>; <paramref name="KeyedOn"/> is the text it was hashed from).
/// <paramref name="RamFile"/>: the guest's RAM is saved as a file of its own and a restore maps
/// it copy-on-write (needs QEMU to see our files: bind mode); otherwise the state is the whole
/// migration stream, which QEMU reads into fresh memory (copy mode).  It is part of the key.
/// </summary>
public sealed record WarmStartOptions(SavedStateStore Store, string Key, string KeyedOn, bool RamFile = false);
