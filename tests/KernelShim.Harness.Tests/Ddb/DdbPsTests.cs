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
        0       57 3   0       200   fffffe800f3c1600          uvmshim_u vmmapent
        >0       5 7   0       200   fffffe800e1e5140             idle/0
        0        2 3   0       200   fffffe800e1e5580            pgdaemon pgdaemon
        """;

    [Test]
    public void FindsSleepingLwpsAndSkipsRunningOnes()
    {
        var lwps = DdbPs.SleepingLwps(Ps).ToList();
        Assert.That(lwps, Is.EqualTo(new ulong[] { 0xfffffe800f7a2000, 0xfffffe800f3c1a40, 0xfffffe800f3c1600, 0xfffffe800e1e5580 }));
    }
}
