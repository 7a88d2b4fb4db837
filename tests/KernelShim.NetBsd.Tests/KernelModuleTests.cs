using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Scenarios;
using KernelShim.Tests.Shared;
using NUnit.Framework;
using static KernelShim.Bindings.UvmshimIoctl;

namespace KernelShim.NetBsd.Tests;

/// <summary>The uvmshim module over real UVM, through the guest agent.</summary>
[TestFixture, Category("NetBSD"), NonParallelizable]
public class KernelModuleTests : NetBsdVm
{
    private ulong Pg => Client.Version().page_size;

    [Test, Order(1)]
    public void VersionNamesTheRunningKernel()
    {
        var v = Client.Version();
        Assert.That(v.abi_version, Is.EqualTo(UVMSHIM_ABI_VERSION));
        Assert.That(v.target, Is.EqualTo((uint)uvmshim_target.UVMSHIM_TARGET_KERNEL));
        Assert.That(v.netbsd_version, Is.EqualTo((uint)Setup.Kernel.Version.Value));
        Assert.That(v.policies & UVMSHIM_POLICY_BIT(2), Is.Not.Zero, "NOMERGE supported");
    }

    private static uint UVMSHIM_POLICY_BIT(int p) => 1u << p;

    [Test]
    public void MergeAndSplitWithExactEntryCounts()
    {
        uint m = Client.CreateMap(64 * Pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        try
        {
            Client.Map(m, 0, 4 * Pg, flags: UVMSHIM_MAPF_FIXED);
            var b = Client.Map(m, 4 * Pg, 4 * Pg, flags: UVMSHIM_MAPF_FIXED);
            Assert.That(b.outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_BACK_MERGE));
            Assert.That(Client.Dump(m), Has.Length.EqualTo(1), "kernel maps merge");
            var u = Client.Unmap(m, 2 * Pg, 6 * Pg);
            Assert.That((u.clips, u.entries_after), Is.EqualTo((2u, 2u)));
            var e = Client.Dump(m);
            Assert.That(e.Select(x => (x.start / Pg, x.end / Pg)), Is.EqualTo(new[] { (0UL, 2UL), (6UL, 8UL) }));
        }
        finally { Client.DestroyMap(m); }
        uint n = Client.CreateMap(64 * Pg, uvmshim_policy.UVMSHIM_POLICY_NOMERGE);
        try
        {
            Client.Map(n, 0, 4 * Pg, flags: UVMSHIM_MAPF_FIXED);
            Client.Map(n, 4 * Pg, 4 * Pg, flags: UVMSHIM_MAPF_FIXED);
            Assert.That(Client.Dump(n), Has.Length.EqualTo(2), "UVM_FLAG_NOMERGE keeps one entry per mapping");
            Assert.That(Client.Unmap(n, 0, 4 * Pg).clips, Is.Zero, "whole mappings never clip");
        }
        finally { Client.DestroyMap(n); }
    }

    [Test]
    public void EveryIoctlAnswers()
    {
        uint m = Client.CreateMap(256 * Pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        try
        {
            Client.Map(m, 0, 8 * Pg, flags: UVMSHIM_MAPF_FIXED);
            Assert.That(Client.Lookup(m, 3 * Pg).found, Is.EqualTo(1u));
            var ops = RandomScript.Generate(5, 500, 256, 8, Pg);
            var (batch, results) = Client.Batch(m, ops);
            Assert.That(batch.ndone, Is.EqualTo(500u));
            Assert.That(MapInvariants.Check(Client.Dump(m), 256 * Pg, Client.Stats(m)), Is.Null);
            var p = Client.Pressure(uvmshim_pressure_cmd.UVMSHIM_PRESSURE_QUERY);
            Assert.That(p.total_pages, Is.GreaterThan(0UL));
            var st = Client.Stress(m, 2, 200, 1, 4);
            Assert.That(st.ops, Is.GreaterThan(0UL));
            var k = Client.KernelMapSummary();
            Assert.That(k.nentries, Is.GreaterThan(0UL));
            Assert.That(k.max, Is.GreaterThan(k.min));
        }
        finally { Client.DestroyMap(m); }
    }

    private bool Parks => (Client.Version().features & UVMSHIM_FEAT_PARKED_ENTRIES) != 0;

    /// <summary>
    /// A seeded random script on the kernel and on its model twin
    /// (<see cref="ModelTwin"/>: modern for a stock kernel, thorpe for one that
    /// parks entries): every op's error, outcome, placement and entry counts
    /// (allocations, frees, under the lock, clips), and the entry lists after.
    /// </summary>
    [Test]
    public void RandomScriptsMatchTheModelExactly()
    {
        foreach (var (policy, name) in new[] { (uvmshim_policy.UVMSHIM_POLICY_DEFAULT, "default"), (uvmshim_policy.UVMSHIM_POLICY_NOMERGE, "nomerge") })
        {
            var ops = RandomScript.Generate(11, 2000, 512, 16, Pg);
            uint m = Client.CreateMap(512 * Pg, policy);
            uvmshim_entry[] kernelEntries;
            uvmshim_op_result[] kernelResults;
            try
            {
                kernelResults = Client.Batch(m, ops).Results;
                kernelEntries = Client.Dump(m);
            }
            finally { Client.DestroyMap(m); }
            var (twin, flags) = ModelTwin.For(name, Parks);
            using var modelDevice = new ModelDevice();
            var mc = new UvmshimClient(modelDevice);
            uint mm = mc.CreateMap(512 * Pg, twin);
            var modelResults = mc.Batch(mm, ModelTwin.Ops(ops, flags)).Results;
            var why = $"{name} against the model's {twin}{(flags != 0 ? " with NOMERGE maps" : "")}";
            TestContext.Out.WriteLine($"{why}: {kernelResults.Count(r => (r.counted & UVMSHIM_CNT_ALLOCS) != 0)} of {ops.Length} ops with measured allocations, " +
                $"{kernelResults.Sum(r => r.allocs)} allocations, {kernelResults.Sum(r => r.allocs_locked)} under the lock, {kernelResults.Sum(r => r.frees)} frees");
            Assert.That(kernelResults.Select(r => (r.error, r.outcome, r.addr)), Is.EqualTo(modelResults.Select(r => (r.error, r.outcome, r.addr))), why);
            for (int i = 0; i < ops.Length; i++)
                Assert.That((kernelResults[i].allocs, kernelResults[i].frees, kernelResults[i].allocs_locked, kernelResults[i].clips),
                    Is.EqualTo((modelResults[i].allocs, modelResults[i].frees, modelResults[i].allocs_locked, modelResults[i].clips)),
                    $"{why}: op {i} ({(uvmshim_op_kind)ops[i].kind} at 0x{ops[i].addr:x}) allocs, frees, under the lock, clips (kernel counted 0x{kernelResults[i].counted:x})");
            Assert.That(kernelEntries.Select(e => (e.start, e.end, e.prot)), Is.EqualTo(mc.Dump(mm).Select(e => (e.start, e.end, e.prot))), why);
        }
    }

    /// <summary>
    /// The kernel makes a random script itself (GENERATE) with the code the
    /// host uses for RandomScript: the script it ran is the host's, result for
    /// result, and its digests are those of the results and entries it sent.
    /// </summary>
    [Test]
    public void AScriptTheKernelMakesIsTheHostsAndItsDigestsSumItUp()
    {
        var ops = RandomScript.Generate(23, 3000, 512, 16, Pg);
        uint sent = Client.CreateMap(512 * Pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        uint made = Client.CreateMap(512 * Pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        try
        {
            var (sb, sentResults) = Client.Batch(sent, ops);
            var madeResults = new uvmshim_op_result[ops.Length];
            var mb = Client.BatchGenerated(made, 23, ops.Length, 16, madeResults);
            Assert.That(madeResults.Count(r => r.error == 0 && r.clips != 0), Is.GreaterThan(50), "the script clips entries");
            Assert.That(madeResults.Select(r => (r.error, r.outcome, r.addr, r.nentries, r.allocs, r.frees, r.clips)),
                Is.EqualTo(sentResults.Select(r => (r.error, r.outcome, r.addr, r.nentries, r.allocs, r.frees, r.clips))));
            Assert.That((mb.ndone, mb.nerrors, mb.digest), Is.EqualTo((sb.ndone, sb.nerrors, sb.digest)));
            var bare = Client.BatchGenerated(Client.CreateMap(512 * Pg, uvmshim_policy.UVMSHIM_POLICY_NOMERGE), 23, ops.Length, 16);
            Assert.That(bare.digest, Is.Not.EqualTo(sb.digest), "NOMERGE gives other results, and another digest");
            Assert.That(Client.DumpDigest(made), Is.EqualTo(Client.DumpDigest(sent)));
            Assert.That(Client.DumpDigest(sent).Entries, Is.EqualTo((uint)Client.Dump(sent).Length));
        }
        finally
        {
            Client.DestroyMap(sent);
            Client.DestroyMap(made);
        }
    }

    [Test]
    public void TheCycleDoesNotFormUnderNoMerge()
    {
        // Under merging the cycle forms on a stock kernel and not on one that
        // parks entries: MeasuredCounterTests.TheCycleCountsTheUnmapsAllocationsUnderTheLock.
        var nomerge = Client.Cycle(uvmshim_policy.UVMSHIM_POLICY_NOMERGE, 500, 0, 16);
        TestContext.Out.WriteLine(CycleEvidence.From(nomerge));
        Assert.That(nomerge.verdict, Is.EqualTo((uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_COMPLETED));
        Assert.That((nomerge.clips, nomerge.allocs_locked), Is.EqualTo((0u, 0u)), "the middle page is a whole entry: nothing to clip");
    }

    /// <summary>
    /// Random map, unmap and lookup requests, most of them invalid in some
    /// field (unaligned, oversized, out of the map, unknown prot or flags,
    /// nonzero padding, a map that does not exist), each answered by the
    /// kernel with exactly the errno the model gives for the same request on
    /// a map in the same state: validation is one piece of code
    /// (native/core), so any difference is a bug in one of them.  The kernel
    /// must not panic (the TearDown checks the console).
    /// </summary>
    [Test]
    public void RandomInvalidRequestsGetTheModelsErrnoAndChangeNothing()
    {
        const int Requests = 1500;
        var rng = new Random(24039);
        ulong size = 16 * Pg;
        uint m = Client.CreateMap(size, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        using var modelDevice = new ModelDevice();
        var model = new UvmshimClient(modelDevice);
        uint mm = model.CreateMap(size, uvmshim_policy.UVMSHIM_POLICY_MODERN);
        try
        {
            int rejected = 0;
            for (int i = 0; i < Requests; i++)
            {
                ulong Addr() => rng.Next(4) switch
                {
                    0 => (ulong)rng.NextInt64(),                       // anything
                    1 => (ulong)rng.Next(0, 20) * Pg + (ulong)rng.Next(1, (int)Pg), // unaligned
                    2 => (ulong)rng.Next(17, 64) * Pg,                 // beyond the map
                    _ => (ulong)rng.Next(0, 16) * Pg,                  // aligned, inside
                };
                uint Id(uint real) => rng.Next(8) == 0 ? (uint)rng.Next() : real;
                uint Pad() => rng.Next(6) == 0 ? (uint)rng.Next(1, 5) : 0;
                (int Kernel, int Model) errors;
                switch (rng.Next(3))
                {
                    case 0:
                    {
                        ulong addr = Addr(), len = rng.Next(3) == 0 ? (ulong)rng.NextInt64() : (ulong)rng.Next(0, 20) * Pg;
                        uint prot = (uint)rng.Next(16), flags = rng.Next(4) == 0 ? (uint)rng.Next(4, 64) : UVMSHIM_MAPF_FIXED, pad = Pad();
                        // A valid FIXED request would map: keep the maps empty, so every answer is a validation answer.
                        if (prot <= UVMSHIM_PROT_ALL && pad == 0 && flags == UVMSHIM_MAPF_FIXED) prot |= 0x10;
                        var k = new uvmshim_map_req { map_id = Id(m), addr = addr, size = len, prot = prot, flags = flags, pad0 = pad };
                        var o = k with { map_id = k.map_id == m ? mm : k.map_id == mm ? m : k.map_id };
                        errors = (Device.Ioctl(UVMSHIM_IOC_MAP, ref k), modelDevice.Ioctl(UVMSHIM_IOC_MAP, ref o));
                        break;
                    }
                    case 1:
                    {
                        ulong a = Addr(), b = rng.Next(2) == 0 ? Addr() : a + (ulong)rng.Next(0, 4) * Pg;
                        var k = new uvmshim_unmap_req { map_id = Id(m), start = a, end = b, flags = Pad() };
                        var o = k with { map_id = k.map_id == m ? mm : k.map_id == mm ? m : k.map_id };
                        errors = (Device.Ioctl(UVMSHIM_IOC_UNMAP, ref k), modelDevice.Ioctl(UVMSHIM_IOC_UNMAP, ref o));
                        break;
                    }
                    default:
                    {
                        var k = new uvmshim_lookup { map_id = Id(m), addr = Addr() };
                        var o = k with { map_id = k.map_id == m ? mm : k.map_id == mm ? m : k.map_id };
                        errors = (Device.Ioctl(UVMSHIM_IOC_LOOKUP, ref k), modelDevice.Ioctl(UVMSHIM_IOC_LOOKUP, ref o));
                        break;
                    }
                }
                Assert.That(errors.Kernel, Is.EqualTo(errors.Model), $"request {i}: kernel errno {errors.Kernel}, model errno {errors.Model}");
                if (errors.Kernel != 0) rejected++;
            }
            TestContext.Out.WriteLine($"{Requests} requests, {rejected} rejected with the model's errno");
            Assert.That(rejected, Is.GreaterThan(Requests / 2), "most requests are invalid");
            Assert.That(Client.Dump(m), Is.Empty, "nothing was mapped");
        }
        finally { Client.DestroyMap(m); }
    }

    /// <summary>FINI refuses with EBUSY while the device is open; this fails if the kernel unloads.</summary>
    [Test, Order(90)]
    public Task AHeldDeviceKeepsTheModuleFromUnloading() =>
        HeldDeviceContract.RunAsync(Session.Agent, Client, UVMSHIM_ENOENT);

    [Test, Order(100)]
    public async Task FiftyUnloadLoadCyclesLeakNothing()
    {
        var before = Client.Pressure(uvmshim_pressure_cmd.UVMSHIM_PRESSURE_QUERY);
        var kBefore = Client.KernelMapSummary();
        for (int i = 0; i < 50; i++)
        {
            Assert.That(await Session.Agent.ModuleAsync(kshim_module_op.KSHIM_MODULE_UNLOAD), Is.Zero, $"unload {i}");
            Assert.That(await Session.Agent.ModuleAsync(kshim_module_op.KSHIM_MODULE_LOAD), Is.Zero, $"load {i}");
            uint m = Client.CreateMap(64 * Pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
            Client.Map(m, 0, 4 * Pg, flags: UVMSHIM_MAPF_FIXED);
            Client.DestroyMap(m);
        }
        var after = Client.Pressure(uvmshim_pressure_cmd.UVMSHIM_PRESSURE_QUERY);
        var kAfter = Client.KernelMapSummary();
        TestContext.Out.WriteLine($"free pages {before.free_pages} -> {after.free_pages}; kernel_map entries {kBefore.nentries} -> {kAfter.nentries}");
        Assert.That(kAfter.nentries, Is.LessThanOrEqualTo(kBefore.nentries + 2), "kernel_map entries do not grow per cycle");
        Assert.That((long)after.free_pages, Is.GreaterThan((long)before.free_pages - 256), "no pages leak per cycle");
    }
}
