using KernelShim.Harness.Ddb;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Ddb;

[TestFixture, Category("Unit")]
public class DdbPsTests
{
    // The shape of ddb's `ps` (ddb/db_proc.c): '>' marks the LWP on this CPU; S 3 is LSSLEEP.
    private const string Ps = """
        db{0}> ps
        PID    LID S CPU     FLAGS       STRUCT LWP *               NAME WAIT
        1        1 3   0         0   fffffe800f7a2000               init vmmapent
        0       58 3   0       200   fffffe800f3c1a40          uvmshim_r vmmaplk
        0       57 2   0       200   fffffe800f3c1600          uvmshim_u
        >0       5 7   0       200   fffffe800e1e5140             idle/0
        0        2 3   0       200   fffffe800e1e5580            pgdaemon pgdaemon
        0        3 1   0       200   fffffe801fe97420          softnet/0
        0        9 3   0       200   fffffe801fe84460             vdrain
        """;

    // As NetBSD 7.99.4's ddb printed it while the uvmshim cycle stood (the marker after the PID).
    private const string RealPs = """
        PID    LID S CPU     FLAGS       STRUCT LWP *               NAME WAIT
        1    >   1 7   0         0   fffffe8001f834e0               init
        0       32 2   0       200   fffffe801fdb1080    uvmshim_reclaim
        0       31 2   0       200   fffffe8001f728e0      uvmshim_unmap
        0       30 3   0       200   fffffe8001f724c0           aiodoned aiodoned
        0        2 1   0       201   fffffe801fe97840             idle/0
        """;

    [Test]
    public void RunnableLwpsFirstThenSleepersAndNeverTheCurrentOrIdleOnes()
    {
        Assert.That(DdbPs.StuckLwps(Ps), Is.EqualTo(new ulong[] { 0xfffffe800f3c1600, 0xfffffe800f7a2000, 0xfffffe800f3c1a40, 0xfffffe800e1e5580 }));
        Assert.That(DdbPs.StuckLwps(RealPs), Is.EqualTo(new ulong[] { 0xfffffe801fdb1080, 0xfffffe8001f728e0, 0xfffffe8001f724c0 }));
    }

    [Test]
    public void RowsSayWhoRunsWhoSleepsAndWhoWaitsForALock()
    {
        var rows = DdbPs.Rows(Ps).ToList();
        Assert.That(rows, Has.Count.EqualTo(7));
        var init = rows.Single(r => r.Pid == 1);
        Assert.That((init.Lid, init.IsAsleep, init.IsRunning, init.Wait), Is.EqualTo((1, true, false, "vmmapent")));
        Assert.That(rows.Single(r => r.Lid == 57).IsRunning, Is.True, "LSRUN: waiting for a CPU");
        Assert.That(rows.Single(r => r.Lid == 5).OnThisCpu, Is.True);
        var real = DdbPs.Rows(RealPs).ToList();
        Assert.That(real.Single(r => r.Pid == 1).IsRunning, Is.True, "7.99.4's marker after the PID");
    }

    // NetBSD 10.99.12 while the uvmshim cycle stood: a writer waiting for an rwlock says "rwlock", 7.99.4 said "tstile".
    [TestCase("0        49 3   0       240   ffff84f9bb88d400    uvmshim_reclaim rwlock", true)]
    [TestCase("0       32 3   0       200   fffffe801fdb1080    uvmshim_reclaim tstile", true)]
    [TestCase("0        48 3   0       200   ffff84f9bb88d000      uvmshim_unmap plpg", false)]
    public void ALockWaiterIsTheOneInATurnstile(string line, bool waits) =>
        Assert.That(DdbPs.Rows(line).Single().WaitsForLock, Is.EqualTo(waits));
}
