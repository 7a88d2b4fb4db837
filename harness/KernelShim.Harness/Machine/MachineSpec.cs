namespace KernelShim.Harness.Machine;

/// <summary>
/// Everything needed to start one VM.  Paths are absolute and identical on
/// the host and inside the runner container (the work directory and the
/// inputs are bind-mounted at their own paths, or, on an engine that does not
/// share our file system, the inputs are copied to their own paths).
/// </summary>
public sealed record MachineSpec
{
    public required string WorkDir { get; init; }
    public required BootMethod Boot { get; init; }
    /// <summary>The kernel (DirectKernel), the ISO (GrubIso) or the disk (DiskImage).</summary>
    public required string BootImage { get; init; }
    public string? KernelCommandLine { get; init; }
    /// <summary>Extra disks, attached as virtio block devices in order (ld0, ld1, ...).</summary>
    public IReadOnlyList<string> Disks { get; init; } = [];
    public required AccelChoice Accel { get; init; }
    public int MemoryMiB { get; init; } = 256;
    public int Cpus { get; init; } = 1;
    /// <summary>Never write to inputs: disk writes go to a temporary overlay.</summary>
    public bool Snapshot { get; init; } = true;
    /// <summary>An exit device at 0xf4 lets a guest power off with a status (the test guest uses it).</summary>
    public bool DebugExitDevice { get; init; } = true;
    /// <summary>
    /// A saved VM state (QEMU's migration stream in a file) to start from instead of booting: QEMU
    /// starts with <c>-incoming defer</c> and is told through QMP what to load (see WarmStart/StateRestorer).
    /// </summary>
    public string? IncomingState { get; init; }
    /// <summary>
    /// Guest RAM in this file instead of anonymous memory: shared (the file is the RAM, so it can be
    /// saved by copying it) or private (a copy-on-write view of a saved RAM image, never written).
    /// </summary>
    public string? RamFile { get; init; }
    public bool RamShared { get; init; }

    public string ConsoleSocket => Path.Combine(WorkDir, "console.sock");
    public string AgentSocket => Path.Combine(WorkDir, "agent.sock");
    public string QmpSocket => Path.Combine(WorkDir, "qmp.sock");

    /// <summary>The files QEMU reads: what a container that cannot see our files must be given.</summary>
    public IEnumerable<string> InputFiles() =>
        new[] { BootImage }.Concat(Disks).Concat(IncomingState is null ? [] : [IncomingState])
            .Concat(RamFile is null ? [] : [RamFile]).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Directories QEMU may write: the work directory, and a RAM file's (QEMU opens it read-write
    /// even when it maps it private; a private mapping never writes it back).
    /// </summary>
    public IEnumerable<string> WritableDirectories() =>
        new[] { WorkDir }.Concat(RamFile is null ? [] : [Path.GetDirectoryName(RamFile)!]).Distinct(StringComparer.Ordinal);

    /// <summary>Directories the runner container must see (bind mode): the work directory and those of the inputs.</summary>
    public IEnumerable<string> MountedDirectories() =>
        new[] { WorkDir }.Concat(InputFiles().Select(f => Path.GetDirectoryName(f)!))
            .Distinct(StringComparer.Ordinal);
}
