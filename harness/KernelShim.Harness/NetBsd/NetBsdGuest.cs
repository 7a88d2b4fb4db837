using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.NetBsd;

/// <summary>
/// A NetBSD kernel made bootable here: the kernel read and matched against
/// its sys tree, the guest side (agent, module, root image, boot ISO) built
/// or reused.  Needs no Docker engine; boot it on any <see cref="VmPlace"/>.
/// </summary>
public sealed class NetBsdGuest : IGuestUnderTest
{
    private NetBsdGuest(KernelInfo kernel, SysTree sys, GuestArtifacts guest, BootMethod? boot, string label)
    {
        Kernel = kernel;
        Sys = sys;
        Guest = guest;
        Boot = boot;
        Label = label;
    }

    public KernelInfo Kernel { get; }
    public SysTree Sys { get; }
    public GuestArtifacts Guest { get; }
    /// <summary>The user's override of the boot method (null: from the kernel's PVH note).</summary>
    public BootMethod? Boot { get; }
    public string Label { get; }
    public string Target => $"NetBSD {Kernel.OsRelease}";
    public DeviceKind Kind => DeviceKind.Kernel;
    public IReadOnlyList<string> Policies => PolicyNames.KernelPolicies;

    /// <summary>
    /// The kernel read and checked against its sys tree (version, and the layout of the structures the module
    /// embeds), before anything is built or booted.  Throws <see cref="NetBsdInputException"/> when they do not match.
    /// </summary>
    public static (KernelInfo Kernel, SysTree Sys) Inspect(NetBsdInputs inputs, Action<string>? progress)
    {
        if (inputs.Missing() is { } missing) throw new NetBsdInputException(missing);
        var cache = GuestBuild.DefaultCache;
        var kernel = KernelImage.Inspect(inputs.Kernel!, Path.Combine(cache, "kernels"));
        var sysPath = inputs.Sys!.EndsWith(".tgz", StringComparison.Ordinal) || inputs.Sys.EndsWith(".tar.gz", StringComparison.Ordinal)
            ? SysSourceArchive.Unpack(inputs.Sys, Path.Combine(cache, "sys"))
            : inputs.Sys;
        var sys = SysTree.Open(sysPath);
        sys.CheckMatches(kernel);
        progress?.Invoke($"kernel: {kernel}; sys tree: {sys.Path} ({sys.Version})");
        KernelLayout.CheckMatches(kernel, sys, progress);
        return (kernel, sys);
    }

    /// <summary>Throws <see cref="NetBsdInputException"/> (bad inputs) or <see cref="GuestBuildException"/> (the guest side did not build).</summary>
    public static NetBsdGuest Prepare(NetBsdInputs inputs, Action<string>? progress, BootMethod? boot = null, string? label = null) =>
        Prepare(inputs, Inspect(inputs, progress), progress, boot, label);

    /// <summary>Builds (or reuses) the guest side of a pair <see cref="Inspect"/> accepted.</summary>
    public static NetBsdGuest Prepare(NetBsdInputs inputs, (KernelInfo Kernel, SysTree Sys) inspected, Action<string>? progress,
        BootMethod? boot = null, string? label = null)
    {
        var (kernel, sys) = inspected;
        var guest = GuestBuild.Ensure(kernel, sys, GuestBuild.DefaultCache, progress);
        progress?.Invoke($"guest side {(guest.FromCache ? "reused from" : "built in")} {guest.Directory}");
        return new NetBsdGuest(kernel, sys, guest, boot, label ?? Path.GetFileName(inputs.Kernel!));
    }

    /// <summary>The guest build's key: kernel bytes, sys tree, agent, module and image sources.</summary>
    public string? WarmKey => Guest.Key;

    public MachineSpec Spec(string workDir, AccelChoice accel) => NetBsdMachine.Spec(Kernel, Guest, workDir, accel, Boot);

    public override string ToString() => $"{Label} ({Kernel})";
}
