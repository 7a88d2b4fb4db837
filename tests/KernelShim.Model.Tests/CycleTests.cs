using KernelShim.Bindings;
using KernelShim.Harness.Scenarios;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

/// <summary>The PR 24039 cycle: forms under merge-alloc and modern with pressure, not under nomerge, merge-reserve or thorpe.</summary>
[TestFixture, Category("Model")]
public class CycleTests : ModelFixture
{
    [Test]
    public void FormsUnderMergeAllocAndNamesBothParties()
    {
        var c = Client.Cycle(uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC, boundMs: 100, holdMs: 0, npages: 16);
        Assert.That(c.verdict, Is.EqualTo((uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_DEADLOCK));
        Assert.That(c.recovered, Is.EqualTo(1u));
        var e = CycleEvidence.From(c);
        Assert.That(e.Holder, Does.Not.StartWith(" "), "the lock holder is named");
        Assert.That(c.holder_lid, Is.EqualTo(c.unmapper_lid), "the unmapper holds the map lock");
        Assert.That(c.unmapper_wait_ms, Is.GreaterThanOrEqualTo(100UL));
        Assert.That(c.reclaimer_wait_ms, Is.GreaterThan(0UL));
        Assert.That(c.allocs_locked, Is.GreaterThan(0u));
        Assert.That(e.ToString(), Does.StartWith("DEADLOCK"));
    }

    [TestCase(uvmshim_policy.UVMSHIM_POLICY_NOMERGE)]
    [TestCase(uvmshim_policy.UVMSHIM_POLICY_MERGE_RESERVE)]
    [TestCase(uvmshim_policy.UVMSHIM_POLICY_THORPE)]
    public void DoesNotFormWhereUnmapNeedsNoAllocationUnderTheLock(uvmshim_policy policy)
    {
        var c = Client.Cycle(policy, boundMs: 100, holdMs: 0, npages: 16);
        Assert.That(c.verdict, Is.EqualTo((uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_COMPLETED));
        Assert.That(c.recovered, Is.Zero);
        Assert.That(c.allocs_locked, Is.Zero);
    }

    /// <summary>
    /// Modern (and default): the 15 merges allocated nothing, so the two clips
    /// allocate under the lock and wait for memory the reclaimer holds.
    /// Thorpe: the same 15 merges parked 15 spares, the clips take two of
    /// them, nothing waits (DoesNotFormWhere... above).
    /// </summary>
    [TestCase(uvmshim_policy.UVMSHIM_POLICY_MODERN)]
    [TestCase(uvmshim_policy.UVMSHIM_POLICY_DEFAULT)]
    public void FormsUnderModernWaitingForMemoryWithTheLockHeld(uvmshim_policy policy)
    {
        var c = Client.Cycle(policy, boundMs: 100, holdMs: 0, npages: 16);
        Assert.That(c.verdict, Is.EqualTo((uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_DEADLOCK));
        Assert.That(CycleEvidence.From(c).Unmapper, Does.EndWith("sleeping on \"vmmapent\""));
        Assert.That((c.clips, c.allocs_locked), Is.EqualTo((2u, 2u)));
    }

    [Test]
    public void LeavesThePressureAsItFoundIt()
    {
        var before = Client.Pressure(uvmshim_pressure_cmd.UVMSHIM_PRESSURE_QUERY);
        Client.Cycle(uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC, 100, 0, 16);
        var after = Client.Pressure(uvmshim_pressure_cmd.UVMSHIM_PRESSURE_QUERY);
        Assert.That((after.held_pages, after.free_pages), Is.EqualTo((before.held_pages, before.free_pages)));
    }
}
