namespace KernelShim.Harness.Machine;

/// <summary>How QEMU starts the guest kernel.</summary>
public enum BootMethod
{
    /// <summary>QEMU's -kernel: multiboot (our test guest) or PVH (NetBSD 11 / -current).</summary>
    DirectKernel,
    /// <summary>A GRUB ISO whose menu boots the kernel with knetbsd (older NetBSD kernels).</summary>
    GrubIso,
    /// <summary>A bootable disk image.</summary>
    DiskImage,
}
