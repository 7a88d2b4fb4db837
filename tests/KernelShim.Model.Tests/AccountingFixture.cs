using KernelShim.Bindings;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

/// <summary>
/// Runs requests one at a time and reads each one's effect from the map's
/// statistics, reset after every request (the per-request outputs carry the
/// outcome, the clips and allocs_locked, not the allocations before the lock
/// or the frees).
/// </summary>
public abstract class AccountingFixture : ModelFixture
{
    protected uint NewCountedMap(uvmshim_policy policy, ulong pages = 256)
    {
        uint m = NewMap(policy, pages);
        Client.Stats(m, reset: true);
        return m;
    }

    protected RequestEffect Map(uint m, ulong page, ulong pages, uint prot = 3)
    {
        var r = MapFixed(m, page, pages, prot);
        var s = Client.Stats(m, reset: true);
        string what = (uvmshim_outcome)r.outcome switch
        {
            uvmshim_outcome.UVMSHIM_OUTCOME_NEW_ENTRY => "new",
            uvmshim_outcome.UVMSHIM_OUTCOME_BACK_MERGE => "back",
            uvmshim_outcome.UVMSHIM_OUTCOME_FORW_MERGE => "forw",
            uvmshim_outcome.UVMSHIM_OUTCOME_BI_MERGE => "bi",
            var o => o.ToString(),
        };
        return new RequestEffect(what, s.entry_allocs, s.entry_allocs_locked, s.entry_frees, s.reserve_uses);
    }

    protected RequestEffect Unmap(uint m, ulong from, ulong to)
    {
        var u = Client.Unmap(m, from * Pg, to * Pg);
        var s = Client.Stats(m, reset: true);
        Assert.That(s.clips_start + s.clips_end, Is.EqualTo((ulong)u.clips), "the request's clips and the map's agree");
        Assert.That(s.entry_allocs_locked, Is.EqualTo((ulong)u.allocs_locked), "the request's allocs_locked and the map's agree");
        return new RequestEffect($"clips={u.clips}", s.entry_allocs, s.entry_allocs_locked, s.entry_frees, s.reserve_uses);
    }

    /// <summary>Entries allocated and not freed that are not in the map: the parked ones.</summary>
    protected ulong Parked(uint m, ulong allocs, ulong frees) => allocs - frees - Client.Stats(m).nentries;
}
