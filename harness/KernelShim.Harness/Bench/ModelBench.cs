using System.Diagnostics;
using KernelShim.Bindings;
using KernelShim.Harness.Devices;

namespace KernelShim.Harness.Bench;

/// <summary>One measured point: a policy at a workload size.</summary>
public sealed record OpsPoint(string Policy, int Allocations, long Entries, int Ops, double OpsPerSecond, double NsPerOpInTarget);

/// <summary>
/// Thorpe's fragmentation cost, measured: N one-page allocations side by
/// side (one entry when merging, N without), then a mix of lookups and
/// free/re-allocate of random pages, all as batches on one device.  The
/// same code measures the model and, through an agent, a kernel.
/// </summary>
public sealed class ModelBench(IUvmshimDevice device)
{
    public int MixOps { get; init; } = 20_000;


    public OpsPoint Measure(uvmshim_policy policy, int allocations, int seed = 1)
    {
        var client = new UvmshimClient(device);
        ulong ps = client.Version().page_size;
        uint map = client.CreateMap((ulong)(allocations + 16) * ps, policy);
        try
        {
            var fill = Enumerable.Range(0, allocations).Select(i => new uvmshim_op
            {
                kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, addr = (ulong)i * ps, size = ps, prot = 3,
                flags = UvmshimIoctl.UVMSHIM_MAPF_FIXED,
            }).ToArray();
            var (b, _) = client.Batch(map, fill);
            if (b.nerrors != 0) throw new InvalidOperationException($"bench fill: {b.nerrors} maps failed");
            long entries = (long)client.Stats(map).nentries;
            var rng = new Random(seed);
            var mix = new uvmshim_op[MixOps];
            for (int i = 0; i < MixOps; i += 3)
            {
                ulong page = (ulong)rng.Next(allocations) * ps;
                mix[i] = new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_LOOKUP, addr = (ulong)rng.Next(allocations) * ps };
                if (i + 1 < MixOps) mix[i + 1] = new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP, addr = page, size = ps };
                if (i + 2 < MixOps) mix[i + 2] = new uvmshim_op
                {
                    kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, addr = page, size = ps, prot = 3, flags = UvmshimIoctl.UVMSHIM_MAPF_FIXED,
                };
            }
            var clock = Stopwatch.StartNew();
            var (batch, _) = client.Batch(map, mix);
            clock.Stop();
            if (batch.nerrors != 0) throw new InvalidOperationException($"bench mix: {batch.nerrors} ops failed");
            ulong nsec = batch.nsec;
            return new OpsPoint(PolicyNameOf(policy), allocations, entries, MixOps,
                MixOps / clock.Elapsed.TotalSeconds, (double)nsec / MixOps);
        }
        finally
        {
            client.DestroyMap(map);
        }
    }

    private static string PolicyNameOf(uvmshim_policy p) => Scenarios.PolicyNames.Name(p);
}
