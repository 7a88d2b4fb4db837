namespace KernelShim.Harness.WarmStart;

/// <summary>
/// Warm starts for one kind of VM: where saved states live and the key of this VM's
/// (<see cref="WarmStartKey"/>; <paramref name="KeyedOn"/> is the text it was hashed from).
/// </summary>
public sealed record WarmStartOptions(SavedStateStore Store, string Key, string KeyedOn);
