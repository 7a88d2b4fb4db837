using KernelShim.Bindings;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

[TestFixture, Category("Model")]
public class MergeTests : ModelFixture
{
    [TestCaseSource(nameof(MergingPolicies))]
    public void AdjacentMappingsMergeByKind(uvmshim_policy policy)
    {
        uint m = NewMap(policy);
        Assert.That(MapFixed(m, 8, 4).outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_NEW_ENTRY));
        Assert.That(MapFixed(m, 12, 4).outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_BACK_MERGE));
        Assert.That(MapFixed(m, 4, 4).outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_FORW_MERGE));
        MapFixed(m, 20, 4);
        var bi = MapFixed(m, 16, 4);
        Assert.That(bi.outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_BI_MERGE));
        Assert.That(bi.nentries, Is.EqualTo(1u));
        Assert.That(Entries(m), Is.EqualTo(new[] { (4UL, 24UL) }));
        var s = Client.Stats(m);
        Assert.That((s.back_merges, s.forw_merges, s.bi_merges, s.new_entries), Is.EqualTo((1UL, 1UL, 1UL, 2UL)));
        Assert.That(s.peak_entries, Is.EqualTo(2UL));
        Assert.That(s.mapped_bytes, Is.EqualTo(20 * Pg));
    }

    [TestCaseSource(nameof(MergingPolicies))]
    public void NeverAcrossProtectionOrNoMergeFlag(uvmshim_policy policy)
    {
        uint m = NewMap(policy);
        MapFixed(m, 0, 4, prot: 3);
        Assert.That(MapFixed(m, 4, 4, prot: 1).outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_NEW_ENTRY));
        Assert.That(MapFixed(m, 8, 4, flags: UvmshimIoctl.UVMSHIM_MAPF_NOMERGE).outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_NEW_ENTRY));
        Assert.That(MapFixed(m, 12, 4, prot: 1).outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_NEW_ENTRY));
        Assert.That(Client.Dump(m).Select(e => e.flags & UvmshimIoctl.UVMSHIM_ENTF_NOMERGE), Is.EqualTo(new uint[] { 0, 0, 1, 0 }));
    }

    [Test]
    public void NoMergeKeepsOneEntryPerMapping()
    {
        uint m = NewMap(uvmshim_policy.UVMSHIM_POLICY_NOMERGE);
        for (ulong i = 0; i < 50; i++)
            Assert.That(MapFixed(m, i * 2, 2).outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_NEW_ENTRY));
        Assert.That(Client.Stats(m).nentries, Is.EqualTo(50UL));
        Assert.That(Client.Stats(m).back_merges + Client.Stats(m).forw_merges + Client.Stats(m).bi_merges, Is.Zero);
    }

    [TestCaseSource(nameof(AllPolicies))]
    public void FirstFitFromTheHintAndFixedOverlapFails(uvmshim_policy policy)
    {
        uint m = NewMap(policy, 64);
        MapFixed(m, 0, 4);
        MapFixed(m, 8, 4);
        Assert.That(Client.Map(m, 0, 4 * Pg).placed, Is.EqualTo(4 * Pg));
        Assert.That(Client.Map(m, 2 * Pg, 2 * Pg).placed, Is.EqualTo(12 * Pg), "first fit at or after the hint");
        var overlap = new uvmshim_map_req { map_id = m, addr = 2 * Pg, size = Pg, prot = 3, flags = UvmshimIoctl.UVMSHIM_MAPF_FIXED };
        Assert.That(Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_MAP, ref overlap), Is.EqualTo(UvmshimIoctl.UVMSHIM_ENOMEM));
        var full = new uvmshim_map_req { map_id = m, addr = 0, size = 60 * Pg, prot = 3 };
        Assert.That(Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_MAP, ref full), Is.EqualTo(UvmshimIoctl.UVMSHIM_ENOMEM), "no gap that large");
    }
}
