using KernelShim.Bindings;
using NUnit.Framework;
using static KernelShim.Bindings.uvmshim_policy;

namespace KernelShim.Model.Tests;

/// <summary>
/// Every policy against sequences whose accounting is worked out by hand from
/// the policy's rules (native/model/README.md), request by request: outcome or
/// clips, allocations, allocations under the write lock, frees, and clips
/// served by parked or reserved entries.  The rules, in short:
/// <list type="bullet">
/// <item>merge-alloc (pre-1.153) and modern (NetBSD 6+, uvm_map.c 1.335): a
/// map request allocates its entry under the lock only when it does not
/// merge; a bi-merge frees the absorbed entry after unlocking; a clip
/// allocates under the lock.</item>
/// <item>nomerge (1.153): every mapping is a new entry allocated under the
/// lock; clips as above.</item>
/// <item>merge-reserve (NetBSD 5, QUANTUM path): every map request allocates
/// before the lock; the spare and a bi-merge's absorbed entry are parked;
/// an unmap reserves before the lock what the parked list lacks for two
/// clips (2 - parked), clips take parked then reserved, unused reserved
/// entries are freed after unlocking.</item>
/// <item>thorpe (thorpe.diff): every map request allocates before the lock;
/// spares parked while fewer than 16; a clip takes a parked entry, else
/// allocates under the lock; an unmap that empties the map frees the parked
/// list.</item>
/// </list>
/// </summary>
[TestFixture, Category("Model")]
public class HandComputedAccountingTests : AccountingFixture
{
    private static RequestEffect E(string what, ulong allocs, ulong locked, ulong frees, ulong uses = 0) =>
        new(what, allocs, locked, frees, uses);

    /// <summary>Ten one-page maps at pages 9, 8, ..., 0: one new entry, nine forward merges.</summary>
    [TestCaseSource(typeof(ModelFixture), nameof(AllPolicies))]
    public void TenReversedAdjacentMaps(uvmshim_policy policy)
    {
        uint m = NewCountedMap(policy);
        var got = Enumerable.Range(0, 10).Select(i => Map(m, 9 - (ulong)i, 1)).ToArray();

        var expected = policy switch
        {
            // The first map allocates its entry under the lock; a merge
            // allocates nothing and frees nothing: 1 allocation, 1 locked,
            // 0 freed (what the 7.99.4 kernel measured for modern).
            UVMSHIM_POLICY_MERGE_ALLOC or UVMSHIM_POLICY_MODERN =>
                [E("new", 1, 1, 0), .. Enumerable.Repeat(E("forw", 0, 0, 0), 9)],
            // No merging: ten new entries, each allocated under the lock.
            UVMSHIM_POLICY_NOMERGE => Enumerable.Repeat(E("new", 1, 1, 0), 10).ToArray(),
            // Every request allocates before the lock; the first uses it,
            // the nine merges park theirs (no cap in NetBSD 5, 9 <= 16 for
            // Thorpe): 10 allocations, none locked, none freed.
            UVMSHIM_POLICY_MERGE_RESERVE or UVMSHIM_POLICY_THORPE =>
                [E("new", 1, 0, 0), .. Enumerable.Repeat(E("forw", 1, 0, 0), 9)],
            _ => throw new ArgumentOutOfRangeException(nameof(policy)),
        };
        Assert.That(got, Is.EqualTo(expected));
        Assert.That(Entries(m), Has.Length.EqualTo(policy == UVMSHIM_POLICY_NOMERGE ? 10 : 1));
    }

    /// <summary>yamt's case (tech-kern, 2004-02-05): map [0,100) as one mapping, unmap [10,90).</summary>
    [TestCaseSource(typeof(ModelFixture), nameof(AllPolicies))]
    public void YamtsCase(uvmshim_policy policy)
    {
        uint m = NewCountedMap(policy);
        var got = new[] { Map(m, 0, 100), Unmap(m, 10, 90) };

        var expected = policy switch
        {
            // The map allocates under the lock; the unmap clips twice
            // (start 10 and end 90 inside [0,100)), each clip allocating
            // under the lock, and frees the one removed piece [10,90).
            UVMSHIM_POLICY_MERGE_ALLOC or UVMSHIM_POLICY_NOMERGE or UVMSHIM_POLICY_MODERN =>
                new[] { E("new", 1, 1, 0), E("clips=2", 2, 2, 1) },
            // The map allocates before the lock; nothing is parked, so the
            // unmap reserves 2 - 0 = 2 before the lock, both clips take a
            // reserved entry, none is left to give back: frees 1 ([10,90)).
            UVMSHIM_POLICY_MERGE_RESERVE => [E("new", 1, 0, 0), E("clips=2", 2, 0, 1, 2)],
            // The map allocates before the lock; no merge ever parked an
            // entry, so both clips allocate under the lock (kparkalloc);
            // the map is not empty, nothing is drained: frees 1.
            UVMSHIM_POLICY_THORPE => [E("new", 1, 0, 0), E("clips=2", 2, 2, 1)],
            _ => throw new ArgumentOutOfRangeException(nameof(policy)),
        };
        Assert.That(got, Is.EqualTo(expected));
        Assert.That(Entries(m), Is.EqualTo(new[] { (0UL, 10UL), (90UL, 100UL) }));
    }

    /// <summary>Map [0,4), then [5,9), then [4,5): the last one joins both neighbours.</summary>
    [TestCaseSource(typeof(ModelFixture), nameof(AllPolicies))]
    public void BiMerge(uvmshim_policy policy)
    {
        uint m = NewCountedMap(policy);
        var got = new[] { Map(m, 0, 4), Map(m, 5, 4), Map(m, 4, 1) };

        var expected = policy switch
        {
            // Two new entries allocated under the lock; the bi-merge
            // allocates nothing and frees the absorbed [5,9) after unlocking.
            UVMSHIM_POLICY_MERGE_ALLOC or UVMSHIM_POLICY_MODERN =>
                new[] { E("new", 1, 1, 0), E("new", 1, 1, 0), E("bi", 0, 0, 1) },
            // Three new entries, each allocated under the lock.
            UVMSHIM_POLICY_NOMERGE => [E("new", 1, 1, 0), E("new", 1, 1, 0), E("new", 1, 1, 0)],
            // Each request allocates before the lock; the bi-merge parks
            // both its spare and the absorbed entry: nothing freed.
            UVMSHIM_POLICY_MERGE_RESERVE or UVMSHIM_POLICY_THORPE =>
                [E("new", 1, 0, 0), E("new", 1, 0, 0), E("bi", 1, 0, 0)],
            _ => throw new ArgumentOutOfRangeException(nameof(policy)),
        };
        Assert.That(got, Is.EqualTo(expected));
        Assert.That(Entries(m), Has.Length.EqualTo(policy == UVMSHIM_POLICY_NOMERGE ? 3 : 1));
    }

    /// <summary>
    /// Three entries [0,4) rw, [4,8) r, [8,12) rw (the protections keep them
    /// apart under every policy), then unmap [2,10): clip_start at 2, clip_end
    /// at 10, and the three pieces [2,4), [4,8), [8,10) removed.
    /// </summary>
    [TestCaseSource(typeof(ModelFixture), nameof(AllPolicies))]
    public void UnmapSpanningThreeEntries(uvmshim_policy policy)
    {
        uint m = NewCountedMap(policy);
        var got = new[] { Map(m, 0, 4, prot: 3), Map(m, 4, 4, prot: 1), Map(m, 8, 4, prot: 3), Unmap(m, 2, 10) };

        var expected = policy switch
        {
            // Three new entries under the lock; two clips under the lock;
            // three removed entries freed after unlocking.
            UVMSHIM_POLICY_MERGE_ALLOC or UVMSHIM_POLICY_NOMERGE or UVMSHIM_POLICY_MODERN =>
                new[] { E("new", 1, 1, 0), E("new", 1, 1, 0), E("new", 1, 1, 0), E("clips=2", 2, 2, 3) },
            // Three entries allocated before the lock and used; nothing
            // parked, so 2 reserved before the lock and both used; frees 3.
            UVMSHIM_POLICY_MERGE_RESERVE =>
                [E("new", 1, 0, 0), E("new", 1, 0, 0), E("new", 1, 0, 0), E("clips=2", 2, 0, 3, 2)],
            // Three entries allocated before the lock and used; nothing
            // parked, so both clips allocate under the lock; frees 3.
            UVMSHIM_POLICY_THORPE =>
                [E("new", 1, 0, 0), E("new", 1, 0, 0), E("new", 1, 0, 0), E("clips=2", 2, 2, 3)],
            _ => throw new ArgumentOutOfRangeException(nameof(policy)),
        };
        Assert.That(got, Is.EqualTo(expected));
        Assert.That(Entries(m), Is.EqualTo(new[] { (0UL, 2UL), (10UL, 12UL) }));
    }
}
