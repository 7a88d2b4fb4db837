using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.TestGuest;
using KernelShim.Harness.Tests.Runner;
using KernelShim.Harness.Verdicts;
using KernelShim.Harness.WarmStart;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scale;

/// <summary>
/// The matrix for real: test-guest VMs under QEMU in runner containers, two
/// at once, every case tagged with its row and endpoint.  (The test guest
/// checks the harness; it says nothing about NetBSD.)
/// </summary>
[TestFixture, Category("Docker")]
public class MatrixRunnerTests : DockerTestBase
{
    private string _kernel = "";
    private IReadOnlyList<Scenario> _scenarios = [];

    [OneTimeSetUp]
    public void BuildGuestAndLoadScenarios()
    {
        _kernel = TestGuestKernel.Build();
        _scenarios = [.. ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory).Where(s => s.Name is "merge" or "split")];
        Assert.That(_scenarios, Has.Count.EqualTo(2));
    }

    private static void Progress(string line) => TestContext.Progress.WriteLine(line);

    [Test]
    public async Task CellsRunTwoAtOnceAndEveryCaseSaysWhereItRan()
    {
        IGuestUnderTest[] guests = [new TestGuestUnderTest(_kernel, "tg-a"), new TestGuestUnderTest(_kernel, "tg-b")];
        var endpoint = DockerEndpoint.FromEnvironment();
        await using var setup = await MatrixSetup.PrepareAsync(guests, [endpoint], AccelMode.Tcg, maxJobs: 2, Progress);
        Assert.That(setup.Plan.Total, Is.EqualTo(2), string.Join("; ", setup.Plan.Endpoints));

        var matrix = await setup.Runner(null, Progress, warmStarts: false).RunAsync(guests, _scenarios);

        Assert.That(matrix.Cells, Has.Count.EqualTo(4), "2 guests x 2 scenarios");
        // Another test assembly's VMs may hold this machine's slots for a while (MachineSlots); then one at a time is right.
        if (matrix.WaitedForMachine == 0) Assert.That(matrix.PeakConcurrency, Is.EqualTo(2), "two VMs ran at the same time");
        else Assert.That(matrix.PeakConcurrency, Is.InRange(1, 2), $"{matrix.WaitedForMachine} cell(s) waited for another process's VMs");
        var expected = guests.Sum(g => SuiteRunner.Plan(_scenarios, g.Policies, null).Count());
        Assert.That(matrix.Cases, Has.Count.EqualTo(expected));
        Assert.That(matrix.Cases.Where(c => !c.Verdict.IsSuccess).Select(c => $"{c.Kernel}:{c.Id}: {c.Verdict}"), Is.Empty);
        Assert.That(matrix.Cases.Select(c => c.Endpoint), Has.All.EqualTo(endpoint.Url));
        Assert.That(matrix.Cases.GroupBy(c => c.Kernel).Select(g => g.Key), Is.EquivalentTo(new[] { "tg-a", "tg-b" }));
        Assert.That(matrix.Cells.Select(c => c.Result.VmVerdict.Kind), Has.All.EqualTo(VerdictKind.Passed));
        // Asked for cold starts (--cold), every cell boots cold (warm starts: the test below).
        Assert.That(matrix.Cells.Select(c => c.Result.VmVerdict.Start?.Kind), Has.All.EqualTo(StartKind.Cold), "--cold: every cell boots cold");
        Assert.That(matrix.Cases.Select(c => c.Start), Has.All.EqualTo("cold"));
    }

    [Test]
    public async Task WithWarmStartsOnLaterCellsStartFromTheStateSavedAtReady()
    {
        IGuestUnderTest[] guests = [new TestGuestUnderTest(_kernel, "tg-warm")];
        var store = Directory.CreateTempSubdirectory("kshim-warm-matrix-").FullName;
        try
        {
            await using var setup = await MatrixSetup.PrepareAsync(guests, [DockerEndpoint.FromEnvironment()], AccelMode.Tcg, maxJobs: 2, Progress);
            var runner = new MatrixRunner(setup.Places, setup.Plan) { Progress = Progress, WarmStarts = true, StateStore = new SavedStateStore(store) };

            var matrix = await runner.RunAsync(guests, _scenarios);

            Assert.That(matrix.Cases.Where(c => !c.Verdict.IsSuccess).Select(c => $"{c.Kernel}:{c.Id}: {c.Verdict}"), Is.Empty);
            // The state is made by one boot at a time; every cell after it (or the cell whose saving boot only saved) starts warm.
            Assert.That(matrix.Cells.Count(c => c.Result.VmVerdict.Start?.Kind == StartKind.Warm), Is.GreaterThan(0),
                string.Join("\n", matrix.Cells.Select(c => $"{c.Job}: {c.Result.VmVerdict.Start}")));
            Assert.That(matrix.Cases.Select(c => c.Start), Has.All.AnyOf("cold", "warm"));
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Test]
    public async Task ACellWhoseVmCannotStartGivesEachOfItsCasesAVerdictAndTheRestGoOn()
    {
        var missing = Path.Combine(Directory.CreateTempSubdirectory("kshim-missing-").FullName, "no-such-kernel.elf");
        IGuestUnderTest[] guests = [new TestGuestUnderTest(_kernel, "good"), new TestGuestUnderTest(missing, "broken")];
        await using var setup = await MatrixSetup.PrepareAsync(guests, [DockerEndpoint.FromEnvironment()], AccelMode.Tcg, maxJobs: 2, Progress);

        var matrix = await setup.Runner("merge/", Progress).RunAsync(guests, _scenarios);

        var broken = matrix.Cases.Where(c => c.Kernel == "broken").ToList();
        var good = matrix.Cases.Where(c => c.Kernel == "good").ToList();
        Assert.That(broken, Has.Count.EqualTo(SuiteRunner.Plan(_scenarios, guests[1].Policies, "merge/").Count()));
        Assert.That(broken.Select(c => c.Verdict.Kind), Has.All.EqualTo(VerdictKind.InfrastructureError));
        Assert.That(broken[0].Verdict.Summary, Does.StartWith("the VM ended in this case"));
        Assert.That(broken.Skip(1).Select(c => c.Verdict.Summary), Has.All.StartWith("not reached"));
        Assert.That(good.Select(c => c.Verdict.Kind), Has.All.EqualTo(VerdictKind.Passed));
        Assert.That(matrix.Cells.Select(c => c.Endpoint), Has.All.Not.Null, "the engine still answered: it was not retired");
    }
}
