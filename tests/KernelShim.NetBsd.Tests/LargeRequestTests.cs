using System.Diagnostics;
using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using NUnit.Framework;
using static KernelShim.Bindings.UvmshimIoctl;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// Requests far above the 64 KiB NetBSD's tty input queue holds: with the
/// agent's PROGRESS reports the harness sends them a window at a time, and
/// none is lost to a flushed queue.  The payload rides as an IN buffer of a
/// VERSION ioctl, which the module ignores, so only the line is measured.
/// </summary>
[TestFixture, Category("NetBSD"), NonParallelizable]
public class LargeRequestTests : NetBsdVm
{
    [TestCase(256 * 1024)]
    [TestCase(1024 * 1024)]
    [TestCase(4 * 1024 * 1024 - 4096)]
    public void ALargeRequestArrivesWhole(int bytes)
    {
        var data = new byte[bytes];
        new Random(bytes).NextBytes(data);
        var version = new uvmshim_version();
        int resends = Session.Agent.Stats.Resends, stalls = Session.Agent.Stats.WindowStalls;
        var watch = Stopwatch.StartNew();
        int error = Device.Ioctl(UVMSHIM_IOC_VERSION, ref version, new DeviceBuffer(0, BufferDirection.In, data));
        TestContext.Progress.WriteLine($"{bytes} byte request: answered in {watch.Elapsed.TotalSeconds:0.0} s " +
            $"({bytes / 1024.0 / watch.Elapsed.TotalSeconds:0} KiB/s), resends {Session.Agent.Stats.Resends - resends}, " +
            $"window stalls {Session.Agent.Stats.WindowStalls - stalls}");
        Assert.That(error, Is.Zero);
        Assert.That(Session.Agent.Stats.Resends - resends, Is.Zero, "delivered on the first attempt");
    }
}
