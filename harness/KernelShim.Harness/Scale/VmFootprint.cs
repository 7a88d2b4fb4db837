using KernelShim.Harness.Machine;

namespace KernelShim.Harness.Scale;

/// <summary>
/// What one VM takes from the host that runs it: a core per vCPU (a TCG vCPU
/// is one busy host thread) and the guest's RAM plus what QEMU itself holds.
/// </summary>
public sealed record VmFootprint(int Cores, long MemoryBytes)
{
    /// <summary>
    /// QEMU's own memory beyond the guest's RAM, measured: a NetBSD 7.99 guest
    /// with 512 MiB reached an RSS of 576 MiB right after READY (NetBSD touches
    /// its free pages) and the TCG translation cache grows while the suite runs;
    /// 160 MiB keeps a margin over that.
    /// </summary>
    public const int QemuOverheadMiB = 160;

    public static VmFootprint For(MachineSpec spec) =>
        new(Math.Max(1, spec.Cpus), (spec.MemoryMiB + (long)QemuOverheadMiB) << 20);

    public override string ToString() => $"{Cores} core(s), {MemoryBytes >> 20} MiB";
}
