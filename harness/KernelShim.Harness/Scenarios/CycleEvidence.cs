using System.Text;
using KernelShim.Bindings;

namespace KernelShim.Harness.Scenarios;

/// <summary>The evidence of one PR 24039 cycle run, readable by a person.</summary>
public sealed record CycleEvidence(
    bool Deadlock, bool Recovered, string Holder, ulong LockHeldMs,
    string Unmapper, ulong UnmapperWaitMs, string Reclaimer, ulong ReclaimerWaitMs,
    uint Clips, uint AllocsLocked, ulong ElapsedMs, ulong MapKva)
{
    public static unsafe CycleEvidence From(uvmshim_cycle c) => new(
        c.verdict == (uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_DEADLOCK,
        c.recovered != 0,
        $"{Str(c.holder_name)} (pid {c.holder_pid}, lid {c.holder_lid})",
        c.lock_held_ms,
        $"lid {c.unmapper_lid} sleeping on \"{Str(c.unmapper_wmesg)}\"",
        c.unmapper_wait_ms,
        $"lid {c.reclaimer_lid} sleeping on \"{Str(c.reclaimer_wmesg)}\"",
        c.reclaimer_wait_ms,
        c.clips, c.allocs_locked, c.elapsed_ms, c.map_kva);

    private static unsafe string Str(sbyte* p)
    {
        var s = new ReadOnlySpan<byte>(p, (int)UvmshimIoctl.UVMSHIM_NAME_LEN);
        int n = s.IndexOf((byte)0);
        return Encoding.UTF8.GetString(n < 0 ? s : s[..n]);
    }

    public override string ToString()
    {
        if (!Deadlock)
            return $"completed in {ElapsedMs} ms: {Clips} clip(s), {AllocsLocked} allocation(s) under the map lock";
        return $"DEADLOCK: map lock held by {Holder} for {LockHeldMs} ms; " +
               $"unmapper {Unmapper} for {UnmapperWaitMs} ms; reclaimer {Reclaimer} for {ReclaimerWaitMs} ms; " +
               $"{(Recovered ? "recovered by the watchdog" : "not recovered")}";
    }
}
