using KernelShim.Bindings;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.TestGuest;
using KernelShim.Harness.Tests.Runner;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scale;

/// <summary>
/// A hang in the middle of a matrix cell, for real: the test guest accepts a
/// request and then hangs (FAULT HANG_ACCEPTED), as an ioctl that blocks in a
/// kernel would.  The cell must look into it at once (ddb's ps through a BREAK),
/// give that case the hang's verdict with the stacks, and the rest "not reached",
/// long before its wall deadline.  (The test guest checks the harness; its ddb
/// is made up and says nothing about NetBSD.)
/// </summary>
[TestFixture, Category("Docker")]
public class HangInACellTests : DockerTestBase
{
    [Test]
    public async Task AHangMidSuiteEndsTheCellWithDdbStacksAndTheLaterCasesNotReached()
    {
        var kernel = TestGuestKernel.Build();
        var scenarios = ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory).Where(s => s.Name == "split").ToList();
        // Each case makes several requests (version, map, steps, stats, destroy): the 40th is a few cases in.
        var guest = new TestGuestUnderTest(kernel, "tg-hang") { Fault = (kshim_fault_mode.KSHIM_FAULT_HANG_ACCEPTED, 40) };
        var wall = TimeSpan.FromMinutes(10);
        await using var setup = await MatrixSetup.PrepareAsync([guest], [DockerEndpoint.FromEnvironment()], AccelMode.Tcg, maxJobs: 1,
            line => TestContext.Progress.WriteLine(line));

        var matrix = await setup.Runner(null, line => TestContext.Progress.WriteLine(line), deadlines: new RunDeadlines { Wall = wall })
            .RunAsync([guest], scenarios);

        var cell = matrix.Cells.Single().Result;
        var cases = cell.Cases;
        foreach (var c in cases) TestContext.Out.WriteLine($"{c.Id}: {c.Verdict}");
        var ended = cases.Where(c => c.Verdict.Summary.StartsWith("the VM ended in this case", StringComparison.Ordinal)).ToList();
        Assert.That(ended, Has.Count.EqualTo(1), "one case was running when the guest hung");
        var hung = ended[0];
        int at = cases.ToList().IndexOf(hung);
        Assert.That(at, Is.GreaterThan(0), "the hang came mid-suite, after some cases ran");
        Assert.That(cases.Take(at).Select(c => c.Verdict.Kind), Has.All.EqualTo(VerdictKind.Passed));
        Assert.That(cases.Skip(at + 1).Select(c => c.Verdict.Summary), Has.All.StartWith("not reached"));
        Assert.That(cases.Count - at - 1, Is.GreaterThan(0), "some cases came after the hang");

        // The test guest's ddb shows its init asleep in a clip and pgdaemon waiting for the map lock: a wait-for chain.
        Assert.That(hung.Verdict.Kind, Is.EqualTo(VerdictKind.Deadlock), hung.Verdict.ToString());
        Assert.That(hung.Verdict.Summary, Does.Contain("asleep in the kernel"));
        var ddb = hung.Verdict.Evidence.Single(e => e.Name == "ddb").Text;
        TestContext.Out.WriteLine(ddb);
        Assert.That(ddb, Does.StartWith("[kshim: the parties, from ps]"), "the parties lead the transcript");
        Assert.That(ddb, Does.Contain("bt/a 0x"));
        Assert.That(ddb, Does.Contain("uvm_map_clip_end()"), "the agent's stack, asleep in the clip");
        Assert.That(ddb, Does.Contain("show all locks"));
        var timing = hung.Verdict.Evidence.Single(e => e.Name == "hang").Text;
        TestContext.Out.WriteLine($"hang: {timing}; cell took {matrix.Cells.Single().Duration.TotalSeconds:0.0} s of a {wall.TotalMinutes:0} min wall deadline");
        // Not a timing target: only that the cell did not sit out its wall deadline.
        Assert.That(matrix.Cells.Single().Duration, Is.LessThan(wall / 2));
    }
}
