namespace KernelShim.Harness.Runner;

/// <summary>The labels every KernelShim container carries (the reaper's only source of truth).</summary>
public static class KernelShimLabels
{
    /// <summary>Prefix of every label the harness owns; specs may not set these themselves.</summary>
    public const string Prefix = "org.kernelshim.";

    /// <summary>GUID of the harness process (one <see cref="HarnessSession"/>) that created the container.</summary>
    public const string Session = "org.kernelshim.session";

    /// <summary>Process id of the owning harness process.</summary>
    public const string OwnerPid = "org.kernelshim.owner-pid";

    /// <summary>Start time of the owner (clock ticks since boot, /proc/pid/stat field 22): guards against pid reuse.</summary>
    public const string OwnerStart = "org.kernelshim.owner-start";

    /// <summary>Kernel boot id of the owner's host: a pid from an earlier boot is always stale.</summary>
    public const string OwnerBoot = "org.kernelshim.owner-boot";

    /// <summary>Host name of the owner: the reaper judges only containers of its own host.</summary>
    public const string OwnerHost = "org.kernelshim.owner-host";

    public static bool IsReserved(string key) =>
        key is Session or OwnerPid or OwnerStart or OwnerBoot or OwnerHost;
}
