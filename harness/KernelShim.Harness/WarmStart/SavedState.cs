namespace KernelShim.Harness.WarmStart;

/// <summary>One saved VM state in the store: QEMU's migration stream of a guest stopped at READY.</summary>
public sealed record SavedState(string Key, string Directory, SavedStateMeta Meta)
{
    public const string StateFile = "state";
    public const string MetaFile = "meta.json";
    public const string RamFile = "ram";

    public string StatePath => Path.Combine(Directory, StateFile);

    /// <summary>The guest RAM image beside the device state (<see cref="SavedStateMeta.HasRamFile"/>).</summary>
    public string RamPath => Path.Combine(Directory, RamFile);

    /// <summary>The first characters of the key, for progress lines and verdicts.</summary>
    public string ShortKey => Key[..Math.Min(12, Key.Length)];
}
