using KernelShim.Harness.Scenarios;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scenarios;

[TestFixture, Category("Unit")]
public class CycleConsoleLineTests
{
    [Test]
    public void TheModulesDeadlockLineNamesTheMapItsLockAndBothParties()
    {
        // As native/kmod printed it on NetBSD 10.99.12.
        var l = CycleConsoleLine.Parse("[  17.3855913] uvmshim: PR 24039 cycle DEADLOCK on map 0xffff84cafb778980, lock 0xffff84cafb778988: " +
            "lwp 48 (uvmshim_unmap) write-holds it 1002 ms, sleeping on \"plpg\"; reclaimer lwp 49 waits on \"rwlock\" 919 ms holding 122284 pages; free 2");
        Assert.That(l, Is.EqualTo(new CycleConsoleLine(0xffff84cafb778980, 0xffff84cafb778988, 48, "uvmshim_unmap", 49)));
        Assert.That(l!.DdbCommands(), Is.EqualTo(new[] { "show lock 0xffff84cafb778988", "show map 0xffff84cafb778980" }));
    }

    [Test]
    public void AnOlderModulesLineWithoutTheLockStillParses()
    {
        var l = CycleConsoleLine.Parse("uvmshim: PR 24039 cycle DEADLOCK on map 0xfffffe8001ed9d88: lwp 31 (uvmshim_unmap) write-holds it 1012 ms, " +
            "sleeping on \"plpg\"; reclaimer lwp 32 waits on \"tstile\" 975 ms holding 125037 pages; free 1");
        Assert.That(l, Is.Not.Null);
        Assert.That((l!.Lock, l.HolderLid, l.ReclaimerLid), Is.EqualTo(((ulong?)null, 31, 32)));
        Assert.That(l.DdbCommands(), Is.EqualTo(new[] { "show map 0xfffffe8001ed9d88" }));
    }
}
