using KernelShim.Bindings;
using KernelShim.Harness.Scenarios;
using NUnit.Framework;
using static KernelShim.Bindings.UvmshimIoctl;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// The module's entry counters, measured from the kernel's own accounting,
/// against sequences computed by hand from uvm_map.c: stock NetBSD 6+ (7.99.4,
/// 10.99.12) allocates a map's entry under the write lock only when the
/// mapping does not merge, and frees a bi-merge's dead entry after the
/// unlock; Thorpe's patch allocates it before the lock for a kernel map and
/// parks what a merge leaves over (at most 16), and a clip takes a parked
/// entry first.  Which kernel runs is read from what it exposes (the kpark
/// event counters: UVMSHIM_FEAT_PARKED_ENTRIES), never from a file name.
/// </summary>
[TestFixture, Category("NetBSD"), NonParallelizable]
public class MeasuredCounterTests : NetBsdVm
{
    private const uint Measured = UVMSHIM_CNT_ALLOCS | UVMSHIM_CNT_FREES | UVMSHIM_CNT_ALLOCS_LOCKED | UVMSHIM_CNT_CLIPS;
    private ulong Pg => Client.Version().page_size;
    private bool Parks => (Client.Version().features & UVMSHIM_FEAT_PARKED_ENTRIES) != 0;

    private static uvmshim_op Map(ulong page, ulong pages, ulong pg) => new()
    {
        kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, flags = UVMSHIM_MAPF_FIXED,
        addr = page * pg, size = pages * pg, prot = UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE,
    };

    private static uvmshim_op Unmap(ulong page, ulong pages, ulong pg) => new()
    {
        kind = (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP, addr = page * pg, size = pages * pg,
    };

    private uvmshim_op_result[] Run(params uvmshim_op[] ops)
    {
        uint m = Client.CreateMap(128 * Pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        try { return Client.Batch(m, ops).Results; }
        finally { Client.DestroyMap(m); }
    }

    private static void Print(string what, uvmshim_op_result[] r)
    {
        foreach (var x in r)
            TestContext.Out.WriteLine($"{what}: error {x.error} outcome {x.outcome} clips {x.clips} allocs {x.allocs} " +
                                      $"locked {x.allocs_locked} frees {x.frees} parked-used {x.reserve_uses} counted 0x{x.counted:x}");
    }

    private static void AllMeasured(uvmshim_op_result[] r)
    {
        foreach (var x in r)
        {
            Assert.That(x.error, Is.Zero);
            Assert.That(x.counted & Measured, Is.EqualTo(Measured), "every figure measured, none inferred");
        }
    }

    [Test, Order(1)]
    public void TheKernelSaysWhetherItParksEntries()
    {
        var v = Client.Version();
        TestContext.Out.WriteLine($"features 0x{v.features:x}: entry counters {((v.features & UVMSHIM_FEAT_ENTRY_COUNTERS) != 0 ? "found" : "absent")}, " +
                                  $"{(Parks ? "parks entries (Thorpe's patch)" : "stock (no kpark counters)")}");
        Assert.That(v.features & UVMSHIM_FEAT_ENTRY_COUNTERS, Is.Not.Zero, "every kernel in /work/nb has UVMMAP_COUNTERS and vmmpepl");
    }

    [Test]
    public void TenReversedAdjacentMaps()
    {
        var ops = Enumerable.Range(0, 10).Select(i => Map((ulong)(9 - i), 1, Pg)).ToArray();
        var r = Run(ops);
        Print("reversed", r);
        AllMeasured(r);
        Assert.That(r[0].outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_NEW_ENTRY));
        Assert.That(r.Skip(1).Select(x => x.outcome), Is.All.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_FORW_MERGE));
        // Stock: 1 allocation (under the lock), 0 freed.  Thorpe: 10, none under the lock, 9 parked.
        Assert.That(r.Sum(x => x.allocs), Is.EqualTo(Parks ? 10 : 1));
        Assert.That(r.Sum(x => x.allocs_locked), Is.EqualTo(Parks ? 0 : 1));
        Assert.That(r.Sum(x => x.frees), Is.Zero);
    }

    [Test]
    public void YamtsUnmapOfTheMiddleOfOneEntry()
    {
        var r = Run(Map(0, 100, Pg), Unmap(10, 80, Pg));
        Print("yamt", r);
        AllMeasured(r);
        Assert.That((r[0].allocs, r[0].allocs_locked, r[0].frees), Is.EqualTo((1u, Parks ? 0u : 1u, 0u)));
        // Nothing parked (the one mapping did not merge): both clips allocate under the lock.
        Assert.That((r[1].clips, r[1].allocs, r[1].allocs_locked, r[1].frees, r[1].reserve_uses),
            Is.EqualTo((2u, 2u, 2u, 1u, 0u)));
    }

    [Test]
    public void ABiMerge()
    {
        var r = Run(Map(0, 1, Pg), Map(2, 1, Pg), Map(1, 1, Pg));
        Print("bi-merge", r);
        AllMeasured(r);
        Assert.That(r[2].outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_BI_MERGE));
        // Stock: no allocation, the dead entry freed after the unlock.  Thorpe: the
        // entry allocated before the lock and the dead one are both parked.
        Assert.That((r[2].allocs, r[2].allocs_locked, r[2].frees), Is.EqualTo(Parks ? (1u, 0u, 0u) : (0u, 0u, 1u)));
    }

    [Test]
    public void ClipsTakeParkedEntriesOnlyWhereTheKernelParks()
    {
        // Three adjacent maps (two merges), then a hole punched in the middle.
        var r = Run(Map(0, 1, Pg), Map(1, 1, Pg), Map(2, 1, Pg), Unmap(1, 1, Pg));
        Print("parked", r);
        AllMeasured(r);
        var u = r[3];
        Assert.That(u.clips, Is.EqualTo(2u));
        Assert.That((u.allocs_locked, u.reserve_uses), Is.EqualTo(Parks ? (0u, 2u) : (2u, 0u)));
    }

    [Test]
    public void TheCycleCountsTheUnmapsAllocationsUnderTheLock()
    {
        var c = Client.Cycle(uvmshim_policy.UVMSHIM_POLICY_DEFAULT, 500, 0, 16);
        var e = CycleEvidence.From(c);
        TestContext.Out.WriteLine(e);
        Assert.That(c.counted & UVMSHIM_CNT_ALLOCS_LOCKED, Is.Not.Zero, "measured");
        Assert.That(c.clips, Is.EqualTo(2u));
        if (Parks)
        {
            Assert.That(c.verdict, Is.EqualTo((uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_COMPLETED));
            Assert.That((c.allocs_locked, c.reserve_uses), Is.EqualTo((0u, 2u)));
        }
        else
        {
            Assert.That(c.verdict, Is.EqualTo((uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_DEADLOCK));
            Assert.That(c.allocs_locked, Is.EqualTo(2u));
        }
    }
}
