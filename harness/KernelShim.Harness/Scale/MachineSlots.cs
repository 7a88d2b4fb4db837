namespace KernelShim.Harness.Scale;

/// <summary>
/// VM slots shared by every kshim process on this machine: one lock file per
/// core under <see cref="Directory"/>, held (flock, through FileShare.None)
/// while a VM runs on an engine of this machine.  Two matrix runs at once
/// (e.g. test assemblies run in parallel by `dotnet test`) then still keep to
/// the cores; a lock dies with its process, so nothing is ever stale.
/// </summary>
public static class MachineSlots
{
    /// <summary>$KSHIM_SLOTS_DIR, or kshim-slots in the temporary directory.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("KSHIM_SLOTS_DIR") is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "kshim-slots");

    /// <summary>Waits until one of <paramref name="slots"/> lock files is free and holds it until disposed.</summary>
    public static async Task<IDisposable> AcquireAsync(int slots, Action<string>? waiting = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        System.IO.Directory.CreateDirectory(Directory);
        bool told = false;
        while (true)
        {
            for (int i = 0; i < slots; i++)
            {
                try
                {
                    return new FileStream(Path.Combine(Directory, $"slot-{i}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException)
                {
                    // Held by another VM of this or another process.
                }
            }
            if (!told) waiting?.Invoke($"all {slots} VM slot(s) of this machine are taken (other kshim runs?): waiting");
            told = true;
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }
}
