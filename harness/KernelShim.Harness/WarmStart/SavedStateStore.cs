using System.Text.Json;

namespace KernelShim.Harness.WarmStart;

/// <summary>
/// Saved VM states on this host, one directory per key (<c>state</c>, <c>meta.json</c>), by default
/// under the guest build cache (<c>~/.cache/kshim/warm</c>).  A state is made by one cold boot at a
/// time (a lock file per key, flock through FileShare.None, which dies with its process) and
/// appears whole or not at all (written beside, then renamed into place).
/// </summary>
public sealed class SavedStateStore(string root)
{
    public string Root { get; } = root;

    /// <summary>What <see cref="Find"/> says when nothing was saved under a key.</summary>
    public const string NoStateYet = "no saved state yet";

    /// <summary>$KSHIM_WARM_DIR, or warm/ in the guest build cache.</summary>
    public static SavedStateStore Default() => new(
        Environment.GetEnvironmentVariable("KSHIM_WARM_DIR") is { Length: > 0 } d ? d : Path.Combine(NetBsd.GuestBuild.DefaultCache, "warm"));

    private string DirectoryOf(string key) => Path.Combine(Root, key);

    /// <summary>The state saved under <paramref name="key"/>, or null and why there is none.</summary>
    public SavedState? Find(string key, out string why)
    {
        var dir = DirectoryOf(key);
        var meta = Path.Combine(dir, SavedState.MetaFile);
        if (!File.Exists(meta))
        {
            why = NoStateYet;
            return null;
        }
        try
        {
            why = "";
            return new SavedState(key, dir, JsonSerializer.Deserialize<SavedStateMeta>(File.ReadAllText(meta))
                ?? throw new JsonException("null"));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            why = $"the saved state's {SavedState.MetaFile} is unreadable ({e.Message})";
            return null;
        }
    }

    /// <summary>
    /// The right to save a state under <paramref name="key"/>, or null when another cell (of this
    /// or another process) is saving it now or it exists already.
    /// </summary>
    public SaveLease? TryBeginSave(string key)
    {
        Directory.CreateDirectory(Root);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(Root, key + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        if (File.Exists(Path.Combine(DirectoryOf(key), SavedState.MetaFile)))
        {
            lockFile.Dispose();
            return null;
        }
        return new SaveLease(this, key, lockFile);
    }

    /// <summary>Puts a state written at <paramref name="stateFile"/> in place under its key.</summary>
    internal SavedState Commit(string key, string stateFile, string? ramFile, SavedStateMeta meta)
    {
        var dir = DirectoryOf(key);
        var tmp = $"{dir}.{Environment.ProcessId}.tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        File.Move(stateFile, Path.Combine(tmp, SavedState.StateFile));
        if (ramFile is not null) File.Move(ramFile, Path.Combine(tmp, SavedState.RamFile));
        var withSize = meta with { Bytes = new FileInfo(Path.Combine(tmp, SavedState.StateFile)).Length, HasRamFile = ramFile is not null };
        File.WriteAllText(Path.Combine(tmp, SavedState.MetaFile), JsonSerializer.Serialize(withSize, new JsonSerializerOptions { WriteIndented = true }));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.Move(tmp, dir);
        return new SavedState(key, dir, withSize);
    }

    /// <summary>Removes a state that could not be restored, so that the next cold boot saves it afresh.</summary>
    public void Discard(string key)
    {
        var dir = DirectoryOf(key);
        var gone = $"{dir}.{Environment.ProcessId}.discarded";
        try
        {
            Directory.Move(dir, gone);
            Directory.Delete(gone, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or another process is replacing it.
        }
    }
}
