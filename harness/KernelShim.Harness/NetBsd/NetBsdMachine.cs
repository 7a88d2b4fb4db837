using KernelShim.Harness.Machine;

namespace KernelShim.Harness.NetBsd;

/// <summary>How a NetBSD kernel boots here: GRUB knetbsd from an ISO (or -kernel with PVH), root on the virtio disk.</summary>
public static class NetBsdMachine
{
    /// <summary>Guest RAM: enough for the suite's 100k-entry maps and the cycle's wired pages.</summary>
    public const int MemoryMiB = 512;

    public static MachineSpec Spec(KernelInfo kernel, GuestArtifacts guest, string workDir, AccelChoice accel, BootMethod? force = null)
    {
        var boot = force ?? (kernel.HasPvhNote ? BootMethod.DirectKernel : BootMethod.GrubIso);
        return new MachineSpec
        {
            WorkDir = workDir,
            Boot = boot,
            BootImage = boot == BootMethod.DirectKernel ? kernel.Path : guest.BootIso,
            KernelCommandLine = boot == BootMethod.DirectKernel ? "root=ld0a console=com" : null,
            Disks = [guest.RootImage],
            Accel = accel,
            MemoryMiB = MemoryMiB,
            DebugExitDevice = false,
        };
    }
}
