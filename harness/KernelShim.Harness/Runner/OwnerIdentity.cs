using System.Globalization;

namespace KernelShim.Harness.Runner;

/// <summary>What the owner of a container is, as far as liveness is concerned.</summary>
public enum OwnerLiveness
{
    /// <summary>The owner process still runs.</summary>
    Alive,
    /// <summary>No process has the owner's pid any more.</summary>
    Dead,
    /// <summary>The pid runs, but it is another process (different start time).</summary>
    PidReused,
    /// <summary>The owner ran before the last reboot.</summary>
    EarlierBoot,
    /// <summary>The owner ran on another host (or pid namespace): not ours to judge.</summary>
    OtherHost,
}

/// <summary>
/// Identifies a harness process across pid reuse: pid + start time (ticks since boot) + boot id + host.
/// </summary>
public sealed record OwnerIdentity(int Pid, long StartTicks, string BootId, string Host)
{
    /// <summary>The identity of this process.</summary>
    public static OwnerIdentity Current { get; } =
        Of(Environment.ProcessId) ?? new OwnerIdentity(Environment.ProcessId, 0, ReadBootId(), Environment.MachineName);

    /// <summary>The identity of a running process, or null when it does not run (or is a zombie).</summary>
    public static OwnerIdentity? Of(int pid) =>
        ProcStat.TryRead(pid) is { IsGone: false } stat
            ? new OwnerIdentity(pid, stat.StartTicks, ReadBootId(), Environment.MachineName)
            : null;

    /// <summary>The labels that record this identity on a container.</summary>
    public IReadOnlyDictionary<string, string> ToLabels() => new Dictionary<string, string>
    {
        [KernelShimLabels.OwnerPid] = Pid.ToString(CultureInfo.InvariantCulture),
        [KernelShimLabels.OwnerStart] = StartTicks.ToString(CultureInfo.InvariantCulture),
        [KernelShimLabels.OwnerBoot] = BootId,
        [KernelShimLabels.OwnerHost] = Host,
    };

    /// <summary>The owner recorded in a container's labels, or null when the labels hold no valid pid.</summary>
    public static OwnerIdentity? FromLabels(IDictionary<string, string>? labels)
    {
        if (labels is null
            || !labels.TryGetValue(KernelShimLabels.OwnerPid, out var pidText)
            || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || pid <= 0)
            return null;
        long start = labels.TryGetValue(KernelShimLabels.OwnerStart, out var s)
                     && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return new OwnerIdentity(pid, start,
            labels.TryGetValue(KernelShimLabels.OwnerBoot, out var boot) ? boot : "",
            labels.TryGetValue(KernelShimLabels.OwnerHost, out var host) ? host : "");
    }

    /// <summary>Judges this (recorded) owner against the running system.</summary>
    public OwnerLiveness Check()
    {
        if (Host.Length > 0 && Host != Environment.MachineName)
            return OwnerLiveness.OtherHost;
        if (BootId.Length > 0 && BootId != ReadBootId())
            return OwnerLiveness.EarlierBoot;
        var stat = ProcStat.TryRead(Pid);
        if (stat is null || stat.IsGone)
            return OwnerLiveness.Dead;
        // A start time of 0 means "unknown" (a label written without one): trust the pid alone.
        return StartTicks != 0 && stat.StartTicks != StartTicks ? OwnerLiveness.PidReused : OwnerLiveness.Alive;
    }

    private static string? bootId;

    internal static string ReadBootId()
    {
        if (bootId is not null)
            return bootId;
        try { bootId = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
        catch (IOException) { bootId = ""; }
        catch (UnauthorizedAccessException) { bootId = ""; }
        return bootId;
    }
}
