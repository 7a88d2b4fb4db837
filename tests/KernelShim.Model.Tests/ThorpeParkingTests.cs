using NUnit.Framework;
using static KernelShim.Bindings.uvmshim_policy;

namespace KernelShim.Model.Tests;

/// <summary>
/// What only Thorpe's patch does (thorpe.diff on 10.99.12): the park cap of
/// UVM_MAP_PARKED_MAX = 16, clips that take a parked entry and allocate
/// nothing under the lock, and the parked list given back when the map
/// empties (uvm_unmap1).  Expected values derived by hand in the comments.
/// </summary>
[TestFixture, Category("Model")]
public class ThorpeParkingTests : AccountingFixture
{
    [Test]
    public void ParksAtMostSixteenAndFreesTheRest()
    {
        uint m = NewCountedMap(UVMSHIM_POLICY_THORPE);
        var got = Enumerable.Range(0, 20).Select(i => Map(m, (ulong)i, 1)).ToArray();

        // Every request allocates its entry before the lock (allocs 1,
        // locked 0).  Request 1 uses it (a new entry).  Requests 2-17 back-
        // merge and park theirs: parked 1..16, nothing freed.  Requests
        // 18-20 find 16 parked: uvm_mapent_park refuses, the spare is freed
        // after unlocking (frees 1 each).
        var expected = new[] { new RequestEffect("new", 1, 0, 0, 0) }
            .Concat(Enumerable.Repeat(new RequestEffect("back", 1, 0, 0, 0), 16))
            .Concat(Enumerable.Repeat(new RequestEffect("back", 1, 0, 1, 0), 3));
        Assert.That(got, Is.EqualTo(expected));
        // 20 allocated - 3 freed - 1 entry in the map = 16 parked.
        Assert.That(got.Sum(e => (long)e.Allocs) - got.Sum(e => (long)e.Frees) - (long)Client.Stats(m).nentries, Is.EqualTo(16));

        // Unmapping everything: no clip, the one entry freed, and the map is
        // empty, so the 16 parked entries are freed too: 17.
        Assert.That(Unmap(m, 0, 20), Is.EqualTo(new RequestEffect("clips=0", 0, 0, 17, 0)));
    }

    [Test]
    public void ClipTakesAParkedEntryAndAllocatesNothingUnderTheLock()
    {
        uint m = NewCountedMap(UVMSHIM_POLICY_THORPE);
        // Pages 0, 1, 2 one at a time: one entry [0,3), two spares parked.
        Assert.That(new[] { Map(m, 0, 1), Map(m, 1, 1), Map(m, 2, 1) }, Is.EqualTo(new[]
        {
            new RequestEffect("new", 1, 0, 0, 0),
            new RequestEffect("back", 1, 0, 0, 0),
            new RequestEffect("back", 1, 0, 0, 0),
        }));
        // Unmap [1,2): clip_start at 1 and clip_end at 2 each take a parked
        // entry (kparkuse): 0 allocations, 0 under the lock, 2 park uses;
        // the removed [1,2) is freed; the map is not empty.
        Assert.That(Unmap(m, 1, 2), Is.EqualTo(new RequestEffect("clips=2", 0, 0, 1, 2)));
        Assert.That(Entries(m), Is.EqualTo(new[] { (0UL, 1UL), (2UL, 3UL) }));
    }

    [Test]
    public void AClipAllocatesUnderTheLockOnlyWhenNothingIsParked()
    {
        uint m = NewCountedMap(UVMSHIM_POLICY_THORPE);
        // [0,1) then [1,3): one entry [0,3), one spare parked.
        Map(m, 0, 1);
        Assert.That(Map(m, 1, 2), Is.EqualTo(new RequestEffect("back", 1, 0, 0, 0)));
        // Unmap [1,2): clip_start takes the parked entry, clip_end finds
        // none and allocates under the lock (kparkalloc): 1 allocation,
        // 1 locked, 1 park use; [1,2) freed.
        Assert.That(Unmap(m, 1, 2), Is.EqualTo(new RequestEffect("clips=2", 1, 1, 1, 1)));
        // Unmap [0,3): no clips, [0,1) and [2,3) freed, the map is empty
        // but nothing is parked any more: frees 2.
        Assert.That(Unmap(m, 0, 3), Is.EqualTo(new RequestEffect("clips=0", 0, 0, 2, 0)));
    }

    [Test]
    public void ParkedEntriesAreFreedWhenTheMapEmptiesAndNotBefore()
    {
        uint m = NewCountedMap(UVMSHIM_POLICY_THORPE);
        // [0,2) and [4,6) two pages at a time: two entries, two parked.
        Map(m, 0, 1);
        Map(m, 1, 1);
        Map(m, 4, 1);
        Map(m, 5, 1);
        // Removing [0,2) leaves [4,6): the map is not empty, the parked
        // entries stay: frees 1.
        Assert.That(Unmap(m, 0, 2), Is.EqualTo(new RequestEffect("clips=0", 0, 0, 1, 0)));
        // Removing [4,6) empties it: 1 entry + 2 parked freed.
        Assert.That(Unmap(m, 4, 6), Is.EqualTo(new RequestEffect("clips=0", 0, 0, 3, 0)));
        // A new mapping and a clip now find nothing parked: locked allocation.
        Map(m, 10, 4);
        Assert.That(Unmap(m, 11, 12), Is.EqualTo(new RequestEffect("clips=2", 2, 2, 1, 0)));
    }
}
