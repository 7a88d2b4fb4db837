using System.Diagnostics;
using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Sessions;

namespace KernelShim.Harness.Bench;

/// <summary>What one boot of a guest cost on one backend.</summary>
public sealed record VmTiming(string Backend, double ReadySeconds, double RoundTripMs, double SingleOpUs, double BatchedOpUs);

/// <summary>
/// The harness's overhead, measured against bare QEMU on the same guest:
/// time from start to the agent's READY, the round trip of one small
/// ioctl, and per-op cost of single against batched map/unmap requests.
/// </summary>
public static class VmBench
{
    public static async Task<VmTiming> MeasureAsync(IMachineBackend backend, Func<string, MachineSpec> specFor,
        DeviceKind kind, int roundTrips = 200, CancellationToken ct = default)
    {
        var work = Directory.CreateTempSubdirectory("kshim-bench-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            await using var s = await VmSession.StartAsync(backend, specFor(work), ct: ct).ConfigureAwait(false);
            await s.Agent.WaitReadyAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            double ready = clock.Elapsed.TotalSeconds;

            var client = new UvmshimClient(new AgentDevice(s.Agent, kind, backend.Name));
            client.Version();
            clock.Restart();
            for (int i = 0; i < roundTrips; i++) client.Version();
            double rtt = clock.Elapsed.TotalMilliseconds / roundTrips;

            ulong ps = client.Version().page_size;
            uint map = client.CreateMap((ulong)(roundTrips + 4) * ps, uvmshim_policy.UVMSHIM_POLICY_NOMERGE);
            clock.Restart();
            for (int i = 0; i < roundTrips; i++)
                client.Map(map, (ulong)i * ps, ps, flags: UvmshimIoctl.UVMSHIM_MAPF_FIXED);
            double single = clock.Elapsed.TotalMicroseconds / roundTrips;
            var unmaps = Enumerable.Range(0, roundTrips).Select(i => new uvmshim_op
            {
                kind = (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP, addr = (ulong)i * ps, size = ps,
            }).ToArray();
            clock.Restart();
            client.Batch(map, unmaps);
            double batched = clock.Elapsed.TotalMicroseconds / roundTrips;
            return new VmTiming(backend.Name, ready, rtt, single, batched);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
