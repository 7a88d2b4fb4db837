namespace KernelShim.Harness.WarmStart;

/// <summary>
/// Held by the one cold boot that saves the state of a key; others boot cold meanwhile.
/// Disposing releases it whether or not a state was committed.
/// </summary>
public sealed class SaveLease : IDisposable
{
    private readonly SavedStateStore _store;
    private readonly FileStream _lock;

    internal SaveLease(SavedStateStore store, string key, FileStream lockFile)
    {
        _store = store;
        Key = key;
        _lock = lockFile;
    }

    public string Key { get; }

    /// <summary>Moves the state file into the store under <see cref="Key"/>.</summary>
    public SavedState Commit(string stateFile, string? ramFile, SavedStateMeta meta) => _store.Commit(Key, stateFile, ramFile, meta);

    /// <summary>A host path the state may be fetched to before <see cref="Commit"/> (same file system as the store).</summary>
    public string StagingPath => Path.Combine(_store.Root, $"{Key}.{Environment.ProcessId}.part");

    /// <summary>Where the RAM image is copied before <see cref="Commit"/>.</summary>
    public string StagingRamPath => Path.Combine(_store.Root, $"{Key}.{Environment.ProcessId}.ram.part");

    public void Dispose() => _lock.Dispose();
}
