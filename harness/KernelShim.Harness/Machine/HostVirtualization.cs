namespace KernelShim.Harness.Machine;

/// <summary>
/// What the host offers for KVM.  A /dev/kvm alone is not enough: on a
/// paravirtual backend (a VM without nested VT-x) NetBSD's first return to
/// user mode faults, so the CPU must also advertise vmx or svm.
/// </summary>
public sealed record HostVirtualization(bool KvmDevicePresent, bool KvmDeviceAccessible, bool CpuHasVmxOrSvm, bool RunningUnderHypervisor)
{
    public static HostVirtualization Probe()
    {
        const string dev = "/dev/kvm";
        bool present = File.Exists(dev);
        bool accessible = false;
        if (present)
        {
            try
            {
                using var f = new FileStream(dev, FileMode.Open, FileAccess.ReadWrite);
                accessible = true;
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException) { }
        }
        var flags = CpuFlags();
        return new HostVirtualization(present, accessible, flags.Contains("vmx") || flags.Contains("svm"), flags.Contains("hypervisor"));
    }

    private static HashSet<string> CpuFlags()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .Where(l => l.StartsWith("flags", StringComparison.Ordinal))
                .SelectMany(l => l[(l.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToHashSet();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Null when KVM is usable, else why not.</summary>
    public string? WhyNotKvm() =>
        !KvmDevicePresent ? "no /dev/kvm"
        : !KvmDeviceAccessible ? "/dev/kvm is not readable and writable by this user"
        : !CpuHasVmxOrSvm ? "the CPU advertises neither vmx nor svm: /dev/kvm is a paravirtual backend" +
                            (RunningUnderHypervisor ? " (this host is itself a VM without nested virtualization)" : "")
        : null;
}
