using KernelShim.Bindings;

namespace KernelShim.Harness.Scenarios;

/// <summary>What must hold for any map, whatever was done to it.</summary>
public static class MapInvariants
{
    /// <summary>Null when the entries and counters are consistent, else the first violation.</summary>
    public static string? Check(IReadOnlyList<uvmshim_entry> entries, ulong mapSize, uvmshim_stats stats)
    {
        ulong mapped = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.start >= e.end) return $"entry {i} [0x{e.start:x}, 0x{e.end:x}) is empty or inverted";
            if (e.end > mapSize) return $"entry {i} ends at 0x{e.end:x}, beyond the map (0x{mapSize:x})";
            if (i > 0 && entries[i - 1].end > e.start)
                return $"entries {i - 1} and {i} overlap or are out of order";
            mapped += e.end - e.start;
        }
        if ((ulong)entries.Count != stats.nentries)
            return $"dump has {entries.Count} entries, stats say {stats.nentries}";
        if (mapped != stats.mapped_bytes)
            return $"entries cover {mapped} bytes, stats say {stats.mapped_bytes}";
        if (stats.peak_entries < stats.nentries)
            return $"peak entries {stats.peak_entries} below current {stats.nentries}";
        if (stats.new_entries + stats.back_merges + stats.forw_merges + stats.bi_merges != stats.maps)
            return $"maps ({stats.maps}) != new entries + merges ({stats.new_entries} + {stats.back_merges} + {stats.forw_merges} + {stats.bi_merges})";
        if (stats.entry_allocs_locked > stats.entry_allocs)
            return $"allocations under lock ({stats.entry_allocs_locked}) exceed allocations ({stats.entry_allocs})";
        return null;
    }
}
