using System.Text;
using KernelShim.Bindings;

namespace KernelShim.Harness.Scenarios;

/// <summary>The evidence of one PR 24039 cycle run, readable by a person.</summary>
public sealed record CycleEvidence(
    bool Deadlock, bool Recovered, string Holder, ulong LockHeldMs,
    string Unmapper, ulong UnmapperWaitMs, string Reclaimer, ulong ReclaimerWaitMs,
    uint Clips, uint AllocsLocked, ulong ElapsedMs, ulong MapKva)
{
    /// <summary>Entries the unmap allocated, freed, and took from a parked list.</summary>
    public uint Allocs { get; init; }
    public uint Frees { get; init; }
    public uint ReserveUses { get; init; }
    /// <summary>Which of the figures were measured, inferred or modelled.</summary>
    public CounterSource Source { get; init; }

    /// <param name="modelled">The target is the reference model (its figures are its own bookkeeping).</param>
    public static unsafe CycleEvidence From(uvmshim_cycle c, bool modelled = false) => new(
        c.verdict == (uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_DEADLOCK,
        c.recovered != 0,
        $"{Str(c.holder_name)} (pid {c.holder_pid}, lid {c.holder_lid})",
        c.lock_held_ms,
        $"lid {c.unmapper_lid} sleeping on \"{Str(c.unmapper_wmesg)}\"",
        c.unmapper_wait_ms,
        $"lid {c.reclaimer_lid} sleeping on \"{Str(c.reclaimer_wmesg)}\"",
        c.reclaimer_wait_ms,
        c.clips, c.allocs_locked, c.elapsed_ms, c.map_kva)
    {
        Allocs = c.allocs,
        Frees = c.frees,
        ReserveUses = c.reserve_uses,
        Source = new CounterSource(c.counted, modelled),
    };

    /// <summary>The unmap's entry counts, each with where it came from.</summary>
    public string Counts()
    {
        string s = $"{Clips} clip(s) ({Source.Of(UvmshimIoctl.UVMSHIM_CNT_CLIPS)}), " +
                   $"{AllocsLocked} allocation(s) under the map lock ({Source.Of(UvmshimIoctl.UVMSHIM_CNT_ALLOCS_LOCKED)})";
        if (ReserveUses != 0)
            s += $", {ReserveUses} parked entr{(ReserveUses == 1 ? "y" : "ies")} used ({Source.Of(UvmshimIoctl.UVMSHIM_CNT_RESERVE)})";
        if (Source.Disturbed)
            s += " [the measurement was disturbed]";
        return s;
    }

    private static unsafe string Str(sbyte* p)
    {
        var s = new ReadOnlySpan<byte>(p, (int)UvmshimIoctl.UVMSHIM_NAME_LEN);
        int n = s.IndexOf((byte)0);
        return Encoding.UTF8.GetString(n < 0 ? s : s[..n]);
    }

    public override string ToString()
    {
        if (!Deadlock)
            return $"completed in {ElapsedMs} ms: {Counts()}";
        return $"DEADLOCK: map lock held by {Holder} for {LockHeldMs} ms; " +
               $"unmapper {Unmapper} for {UnmapperWaitMs} ms; reclaimer {Reclaimer} for {ReclaimerWaitMs} ms; " +
               $"{(Recovered ? "recovered by the watchdog" : "not recovered")}; the unmap: {Counts()}";
    }
}
