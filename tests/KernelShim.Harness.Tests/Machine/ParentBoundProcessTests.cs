using System.Diagnostics;
using KernelShim.Harness.Machine;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Machine;

[TestFixture, Category("Unit")]
public class ParentBoundProcessTests
{
    [Test]
    public void TheChildCarriesAParentDeathSignal()
    {
        if (!ParentBoundProcess.Bound) Assert.Ignore("no setpriv here: processes start unbound");
        // setpriv --dump, started the way QEMU is, reports the signal it inherited across exec.
        var p = ParentBoundProcess.Start(new ProcessStartInfo("/usr/bin/setpriv", ["--dump"]) { RedirectStandardOutput = true, UseShellExecute = false });
        var dump = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.That(dump, Does.Contain("Parent death signal: KILL").Or.Contain("Parent death signal: 9"));
    }

    [Test]
    public void TheChildOutlivesIdleThreadsOfItsParent()
    {
        // The signal follows the forking thread: a child must still run after a while with no activity here.
        var p = ParentBoundProcess.Start(new ProcessStartInfo("sleep", ["3"]) { UseShellExecute = false });
        for (int i = 0; i < 10; i++) Task.Run(() => Thread.Sleep(10)).Wait();
        GC.Collect();
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(p.ExitCode, Is.Zero, "sleep ran to its end, not killed by a signal");
    }
}
