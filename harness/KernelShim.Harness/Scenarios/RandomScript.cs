using KernelShim.Bindings;
using KernelShim.Harness.Devices;

namespace KernelShim.Harness.Scenarios;

/// <summary>
/// Seeded random op scripts: the same seed gives the same ops on every
/// target, so a kernel's results can be compared with the model's.  The ops
/// come from native/core/kshim_script.c through the model library, the code
/// a kernel runs when it makes the script itself (UVMSHIM_BATCHF_GENERATE):
/// a seed sent is a script known on both sides.
/// </summary>
public static class RandomScript
{
    public static unsafe uvmshim_op[] Generate(long seed, int count, long mapPages, long maxPages, ulong pageSize)
    {
        NativeLibraries.EnsureResolver();
        var ops = new uvmshim_op[count];
        fixed (uvmshim_op* p = ops)
        {
            int rc = KshimModel.kshim_model_script((ulong)seed, (ulong)mapPages, checked((uint)maxPages), checked((uint)pageSize), p, (uint)count);
            if (rc != 0) throw new ArgumentException($"no script for max_pages {maxPages}, page size {pageSize}: {Errno.Name(rc)}");
        }
        return ops;
    }
}
