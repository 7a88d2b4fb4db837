namespace KernelShim.Harness.WarmStart;

/// <summary>
/// A directory on a RAM file system for the guest RAM of a boot that will be saved (QEMU's
/// memory-backend-file, shared): on a disk, the guest's writes would be written back to it.
/// Removed when disposed.
/// </summary>
public sealed class ScratchRam : IDisposable
{
    public ScratchRam()
    {
        var root = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        Directory = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, $"kshim-ram-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
    }

    public string Directory { get; }
    public string Path => System.IO.Path.Combine(Directory, "ram");

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* QEMU's container may still hold it a moment */ }
    }
}
