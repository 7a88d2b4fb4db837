using System.Runtime.InteropServices;
using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Devices;

/// <summary>A script longer than the device's preferred batch goes in pieces, and comes back as one.</summary>
[TestFixture, Category("Unit")]
public class UvmshimClientBatchTests
{
    /// <summary>Answers BATCH: op i gets addr = its kind, error when kind is 9; counts the ioctls.</summary>
    private sealed class PieceCounter(int preferred) : IUvmshimDevice
    {
        public int Calls;
        public DeviceKind Kind => DeviceKind.Model;
        public string Description => "piece counter";
        public int PreferredBatchOps => preferred;

        public int Ioctl<T>(uint cmd, ref T arg, params DeviceBuffer[] buffers) where T : unmanaged
        {
            Calls++;
            var b = MemoryMarshal.Read<uvmshim_batch>(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref arg, 1)));
            var ops = MemoryMarshal.Cast<byte, uvmshim_op>(buffers[0].Data);
            var res = MemoryMarshal.Cast<byte, uvmshim_op_result>(buffers[1].Data.AsSpan());
            for (int i = 0; i < ops.Length; i++)
            {
                res[i] = new uvmshim_op_result { addr = ops[i].addr, error = ops[i].kind == 9 ? 22 : 0 };
                if (res[i].error != 0) b.nerrors++;
            }
            b.ndone = (uint)ops.Length;
            b.nsec = 10;
            MemoryMarshal.Write(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref arg, 1)), in b);
            return 0;
        }

        public void Dispose() { }
    }

    private static uvmshim_op[] Ops(int n, int failAt = -1) =>
        Enumerable.Range(0, n).Select(i => new uvmshim_op { addr = (ulong)i, kind = i == failAt ? 9u : 1u }).ToArray();

    [Test]
    public void SplitsAtThePreferredSizeAndJoinsTheResults()
    {
        var dev = new PieceCounter(3);
        var (batch, results) = new UvmshimClient(dev).Batch(1, Ops(7));
        Assert.That(dev.Calls, Is.EqualTo(3));
        Assert.That(results.Select(r => r.addr), Is.EqualTo(Enumerable.Range(0, 7).Select(i => (ulong)i)));
        Assert.That((batch.nops, batch.ndone, batch.nsec), Is.EqualTo((7u, 7u, 30UL)));
    }

    [Test]
    public void StopOnErrorEndsAtTheFailingPiece()
    {
        var dev = new PieceCounter(3);
        var (batch, _) = new UvmshimClient(dev).Batch(1, Ops(9, failAt: 4), UvmshimIoctl.UVMSHIM_BATCHF_STOP_ON_ERROR);
        Assert.That(dev.Calls, Is.EqualTo(2));
        Assert.That((batch.ndone, batch.nerrors), Is.EqualTo((6u, 1u)));
    }
}
