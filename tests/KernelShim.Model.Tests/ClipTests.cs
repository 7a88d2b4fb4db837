using KernelShim.Bindings;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

[TestFixture, Category("Model")]
public class ClipTests : ModelFixture
{
    [TestCaseSource(nameof(MergingPolicies))]
    public void PartialUnmapOfAMergedEntryClipsLikeUvm(uvmshim_policy policy)
    {
        uint m = NewMap(policy);
        MapFixed(m, 0, 4);
        MapFixed(m, 4, 4);
        MapFixed(m, 8, 4);
        var u = Client.Unmap(m, 4 * Pg, 8 * Pg);
        Assert.That((u.clips, u.entries_before, u.entries_after), Is.EqualTo((2u, 1u, 2u)));
        Assert.That(u.unmapped, Is.EqualTo(4 * Pg));
        Assert.That(Entries(m), Is.EqualTo(new[] { (0UL, 4UL), (8UL, 12UL) }));
        var s = Client.Stats(m);
        Assert.That((s.clips_start, s.clips_end), Is.EqualTo((1UL, 1UL)));

        var head = Client.Unmap(m, 0, 1 * Pg);
        Assert.That(head.clips, Is.EqualTo(1u));
        var tail = Client.Unmap(m, 11 * Pg, 12 * Pg);
        Assert.That(tail.clips, Is.EqualTo(1u));
        Assert.That(Entries(m), Is.EqualTo(new[] { (1UL, 4UL), (8UL, 11UL) }));
    }

    [Test]
    public void NoMergeUnmapOfWholeMappingsNeverClips()
    {
        uint m = NewMap(uvmshim_policy.UVMSHIM_POLICY_NOMERGE);
        for (ulong i = 0; i < 3; i++) MapFixed(m, i * 4, 4);
        var u = Client.Unmap(m, 4 * Pg, 8 * Pg);
        Assert.That((u.clips, u.allocs_locked, u.entries_after), Is.EqualTo((0u, 0u, 2u)));
    }

    /// <summary>yamt's case: map [0,100), unmap [10,90): two clips under every policy, no merge involved.</summary>
    [TestCaseSource(nameof(AllPolicies))]
    public void YamtsCase(uvmshim_policy policy)
    {
        uint m = NewMap(policy);
        MapFixed(m, 0, 100);
        var u = Client.Unmap(m, 10 * Pg, 90 * Pg);
        Assert.That(u.clips, Is.EqualTo(2u));
        Assert.That(Entries(m), Is.EqualTo(new[] { (0UL, 10UL), (90UL, 100UL) }));
        uint expectLocked = policy == uvmshim_policy.UVMSHIM_POLICY_MERGE_RESERVE ? 0u : 2u;
        Assert.That(u.allocs_locked, Is.EqualTo(expectLocked),
            "only the reservation (NetBSD 3-5) keeps these clip allocations out of the locked section; " +
            "thorpe has nothing parked without an earlier merge");
        Assert.That(Client.Stats(m).entry_allocs_locked, Is.GreaterThanOrEqualTo((ulong)expectLocked),
            "the map's counters include the unmap's allocations");
    }

    [TestCaseSource(nameof(AllPolicies))]
    public void HolesAreSkipped(uvmshim_policy policy)
    {
        uint m = NewMap(policy);
        MapFixed(m, 0, 2);
        MapFixed(m, 6, 2);
        var u = Client.Unmap(m, 0, 8 * Pg);
        Assert.That((u.clips, u.entries_after, u.unmapped), Is.EqualTo((0u, 0u, 4 * Pg)));
    }
}
