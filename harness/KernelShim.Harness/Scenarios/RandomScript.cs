using KernelShim.Bindings;

namespace KernelShim.Harness.Scenarios;

/// <summary>
/// Seeded random op scripts: the same seed gives the same ops on every
/// target, so a kernel's results can be compared with the model's.
/// </summary>
public static class RandomScript
{
    public static uvmshim_op[] Generate(int seed, int count, long mapPages, long maxPages, ulong pageSize)
    {
        var rng = new Random(seed);
        var ops = new uvmshim_op[count];
        for (int i = 0; i < count; i++)
        {
            long pages = 1 + rng.NextInt64(maxPages);
            long at = rng.NextInt64(Math.Max(1, mapPages - pages));
            int dice = rng.Next(100);
            ops[i] = dice switch
            {
                < 45 => new uvmshim_op
                {
                    kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, addr = (ulong)at * pageSize, size = (ulong)pages * pageSize,
                    prot = rng.Next(4) == 0 ? UvmshimIoctl.UVMSHIM_PROT_READ : UvmshimIoctl.UVMSHIM_PROT_READ | UvmshimIoctl.UVMSHIM_PROT_WRITE,
                    flags = (rng.Next(3) == 0 ? UvmshimIoctl.UVMSHIM_MAPF_FIXED : 0) | (rng.Next(8) == 0 ? UvmshimIoctl.UVMSHIM_MAPF_NOMERGE : 0),
                },
                < 85 => new uvmshim_op
                {
                    kind = (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP, addr = (ulong)at * pageSize, size = (ulong)pages * pageSize,
                },
                _ => new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_LOOKUP, addr = (ulong)at * pageSize },
            };
        }
        return ops;
    }
}
