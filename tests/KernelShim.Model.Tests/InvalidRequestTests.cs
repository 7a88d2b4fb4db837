using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using NUnit.Framework;
using static KernelShim.Bindings.UvmshimIoctl;

namespace KernelShim.Model.Tests;

/// <summary>Every malformed request gets its documented errno and changes nothing.</summary>
[TestFixture, Category("Model")]
public class InvalidRequestTests : ModelFixture
{
    public sealed record Bad(string Name, int Errno, Func<IUvmshimDevice, uint, int> Call)
    {
        public override string ToString() => Name;
    }

    private static int Io<T>(IUvmshimDevice d, uint cmd, T arg, params DeviceBuffer[] bufs) where T : unmanaged => d.Ioctl(cmd, ref arg, bufs);

    private static DeviceBuffer OneOp(uvmshim_op op) =>
        DeviceBuffer.Of<uvmshim_batch, uvmshim_op>(nameof(uvmshim_batch.ops), BufferDirection.In, new[] { op });

    public static IEnumerable<Bad> Cases()
    {
        const ulong P = 4096;
        yield return new("create: size 0", UVMSHIM_EINVAL, (d, _) => Io(d, UVMSHIM_IOC_MAP_CREATE, new uvmshim_map_create { size = 0 }));
        yield return new("create: size not a page multiple", UVMSHIM_EINVAL, (d, _) => Io(d, UVMSHIM_IOC_MAP_CREATE, new uvmshim_map_create { size = P + 1 }));
        yield return new("create: size too large", UVMSHIM_EINVAL, (d, _) => Io(d, UVMSHIM_IOC_MAP_CREATE, new uvmshim_map_create { size = UVMSHIM_MAX_MAP_SIZE + P }));
        yield return new("create: unknown policy", UVMSHIM_EINVAL, (d, _) => Io(d, UVMSHIM_IOC_MAP_CREATE, new uvmshim_map_create { size = P, policy = 99 }));
        yield return new("create: flags", UVMSHIM_EINVAL, (d, _) => Io(d, UVMSHIM_IOC_MAP_CREATE, new uvmshim_map_create { size = P, flags = 1 }));
        yield return new("create: reserved", UVMSHIM_EINVAL, (d, _) => { var c = new uvmshim_map_create { size = P }; unsafe { c.reserved[1] = 1; } return Io(d, UVMSHIM_IOC_MAP_CREATE, c); });
        yield return new("destroy: no such map", UVMSHIM_ENOENT, (d, m) => Io(d, UVMSHIM_IOC_MAP_DESTROY, new uvmshim_map_ref { map_id = m + 1 }));
        yield return new("destroy: pad", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP_DESTROY, new uvmshim_map_ref { map_id = m, pad0 = 1 }));
        yield return new("map: no such map", UVMSHIM_ENOENT, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = 77, size = P, prot = 3 }));
        yield return new("map: size 0", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, size = 0, prot = 3 }));
        yield return new("map: size unaligned", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, size = 100, prot = 3 }));
        yield return new("map: addr unaligned", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, addr = 5, size = P, prot = 3, flags = UVMSHIM_MAPF_FIXED }));
        yield return new("map: beyond the map", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, addr = 63 * P, size = 2 * P, prot = 3, flags = UVMSHIM_MAPF_FIXED }));
        yield return new("map: size wraps around", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, addr = P, size = ulong.MaxValue - P + 1, prot = 3, flags = UVMSHIM_MAPF_FIXED }));
        yield return new("map: unknown prot", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, size = P, prot = 8 }));
        yield return new("map: unknown flags", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, size = P, prot = 3, flags = 0x100 }));
        yield return new("map: pad", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_MAP, new uvmshim_map_req { map_id = m, size = P, prot = 3, pad0 = 1 }));
        yield return new("unmap: end <= start", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_UNMAP, new uvmshim_unmap_req { map_id = m, start = 2 * P, end = 2 * P }));
        yield return new("unmap: unaligned", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_UNMAP, new uvmshim_unmap_req { map_id = m, start = 1, end = P }));
        yield return new("unmap: beyond the map", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_UNMAP, new uvmshim_unmap_req { map_id = m, start = 0, end = 65 * P }));
        yield return new("unmap: flags", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_UNMAP, new uvmshim_unmap_req { map_id = m, start = 0, end = P, flags = 1 }));
        yield return new("unmap: no such map", UVMSHIM_ENOENT, (d, m) => Io(d, UVMSHIM_IOC_UNMAP, new uvmshim_unmap_req { map_id = 0, start = 0, end = P }));
        yield return new("lookup: beyond the map", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_LOOKUP, new uvmshim_lookup { map_id = m, addr = 64 * P }));
        yield return new("lookup: pad", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_LOOKUP, new uvmshim_lookup { map_id = m, pad0 = 1 }));
        yield return new("batch: zero ops", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 0 }));
        yield return new("batch: null ops", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1, ops = 0 }));
        yield return new("batch: too many ops", UVMSHIM_E2BIG, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = UVMSHIM_MAX_BATCH_OPS + 1 }, OneOp(new uvmshim_op())));
        yield return new("batch: unknown flags", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1, flags = 16 }, OneOp(new uvmshim_op())));
        yield return new("batch: pad1", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1, pad1 = 1 }, OneOp(new uvmshim_op())));
        yield return new("batch: generator pages without GENERATE", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1, gen_max_pages = 4 }, OneOp(new uvmshim_op())));
        yield return new("batch: GENERATE with ops", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1, flags = UVMSHIM_BATCHF_GENERATE, gen_max_pages = 4 }, OneOp(new uvmshim_op())));
        yield return new("batch: GENERATE without pages", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1, flags = UVMSHIM_BATCHF_GENERATE }));
        yield return new("batch: GENERATE with REPEAT", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1, flags = UVMSHIM_BATCHF_GENERATE | UVMSHIM_BATCHF_REPEAT, gen_max_pages = 4 }));
        yield return new("batch: unknown op kind runs nothing", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_BATCH, new uvmshim_batch { map_id = m, nops = 1 },
            OneOp(new uvmshim_op { kind = 99 })));
        yield return new("stats: unknown flags", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_STATS, new uvmshim_stats { map_id = m, flags = 4 }));
        yield return new("dump: capacity without buffer", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_DUMP, new uvmshim_dump { map_id = m, capacity = 4 }));
        yield return new("dump: capacity too large", UVMSHIM_E2BIG, (d, m) => Io(d, UVMSHIM_IOC_DUMP, new uvmshim_dump { map_id = m, capacity = UVMSHIM_MAX_DUMP_ENTRIES + 1, entries = 8 }));
        yield return new("dump: pad", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_DUMP, new uvmshim_dump { map_id = m, pad0 = 1 }));
        yield return new("dump: unknown flags", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_DUMP, new uvmshim_dump { map_id = m, flags = 2 }));
        yield return new("pressure: unknown cmd", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_PRESSURE, new uvmshim_pressure { cmd = 9 }));
        yield return new("pressure: wire zero", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_PRESSURE, new uvmshim_pressure { cmd = (uint)uvmshim_pressure_cmd.UVMSHIM_PRESSURE_WIRE }));
        yield return new("cycle: unknown policy", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_CYCLE, new uvmshim_cycle { policy = 9, bound_ms = 100, npages = 16 }));
        yield return new("cycle: bound too short", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_CYCLE, new uvmshim_cycle { policy = 1, bound_ms = 1, npages = 16 }));
        yield return new("cycle: too few pages", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_CYCLE, new uvmshim_cycle { policy = 1, bound_ms = 100, npages = 2 }));
        yield return new("cycle: unknown flags", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_CYCLE, new uvmshim_cycle { policy = 1, bound_ms = 100, npages = 16, flags = 2 }));
        yield return new("stress: no threads", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_STRESS, new uvmshim_stress { map_id = m, nthreads = 0, duration_ms = 10, max_pages = 1 }));
        yield return new("stress: too many threads", UVMSHIM_EINVAL, (d, m) => Io(d, UVMSHIM_IOC_STRESS, new uvmshim_stress { map_id = m, nthreads = 17, duration_ms = 10, max_pages = 1 }));
        yield return new("kmap summary: not on the model", UVMSHIM_ENOTSUP, (d, m) => Io(d, UVMSHIM_IOC_KMAP_SUMMARY, new uvmshim_kmap_summary()));
        yield return new("unknown command", UVMSHIM_ENOTTY, (d, m) => Io(d, UVMSHIM_IOC(UVMSHIM_IOC_INOUT, 'U', 99, 8), 0UL));
        yield return new("command with the wrong size", UVMSHIM_ENOTTY, (d, m) => Io(d, UVMSHIM_IOC(UVMSHIM_IOC_INOUT, 'U', 3, 8), 0UL));
    }

    private static uint UVMSHIM_IOC(uint inout, char group, uint num, uint len) =>
        inout | ((len & UVMSHIM_IOCPARM_MASK) << UVMSHIM_IOCPARM_SHIFT) | ((uint)group << UVMSHIM_IOCGROUP_SHIFT) | num;

    [TestCaseSource(nameof(Cases))]
    public void ReturnsItsErrnoAndChangesNothing(Bad bad)
    {
        uint m = NewMap(uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC, 64);
        MapFixed(m, 0, 4);
        MapFixed(m, 4, 4);
        var entriesBefore = Client.Dump(m);
        var statsBefore = Client.Stats(m);
        Assert.That(Errno.Name(bad.Call(Device, m)), Is.EqualTo(Errno.Name(bad.Errno)));
        Assert.That(Client.Dump(m), Is.EqualTo(entriesBefore));
        Assert.That(Client.Stats(m), Is.EqualTo(statsBefore));
    }

    [Test]
    public void NinthMapIsRefused()
    {
        for (int i = 0; i < UVMSHIM_MAX_MAPS; i++) NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN, 16);
        var c = new uvmshim_map_create { size = 16 * Pg };
        Assert.That(Device.Ioctl(UVMSHIM_IOC_MAP_CREATE, ref c), Is.EqualTo(UVMSHIM_ENOSPC));
    }
}
