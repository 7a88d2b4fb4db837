using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// The suite on several NetBSD VMs at once: the kernel from KSHIM_KERNEL as
/// two matrix rows, the merge and split scenarios, two VMs at a time.
/// </summary>
[TestFixture, Category("NetBSD")]
public class MatrixTests
{
    [Test]
    public async Task MergeAndSplitRunOnTwoVmsAtOnceWithExactCountsAndEveryCaseTagged()
    {
        var inputs = NetBsdInputs.From(null, null);
        if (inputs.Missing() is { } missing)
            Assert.Ignore($"NetBSD tests need a kernel and its sys tree: {missing}");
        var progress = (string l) => TestContext.Progress.WriteLine(l);
        IGuestUnderTest[] rows = [NetBsdGuest.Prepare(inputs, progress, label: "first"), NetBsdGuest.Prepare(inputs, progress, label: "second")];
        var scenarios = ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory).Where(s => s.Name is "merge" or "split").ToList();
        var endpoint = DockerEndpoint.FromEnvironment();
        await using var setup = await MatrixSetup.PrepareAsync(rows, [endpoint], AccelMode.Auto, maxJobs: 2, progress);
        Assume.That(setup.Plan.Total, Is.EqualTo(2), $"this machine holds fewer than two NetBSD VMs: {string.Join("; ", setup.Plan.Endpoints)}");

        var matrix = await setup.Runner(null, progress).RunAsync(rows, scenarios);

        TestContext.Out.WriteLine($"{matrix.Cells.Count} cells, peak {matrix.PeakConcurrency} at once, wall {matrix.Wall.TotalSeconds:0.0} s, x{matrix.Speedup:0.00}");
        Assert.That(matrix.Cells.Select(c => c.Result.VmVerdict.Kind), Has.All.EqualTo(VerdictKind.Passed),
            string.Join("\n", matrix.Cells.Select(c => $"{c.Job}: {c.Result.VmVerdict}")));
        Assert.That(matrix.Cases.Where(c => !c.Verdict.IsSuccess).Select(c => $"{c.Kernel}:{c.Id}: {c.Verdict}"), Is.Empty);
        Assert.That(matrix.Cases, Has.Count.EqualTo(2 * SuiteRunner.Plan(scenarios, PolicyNames.KernelPolicies, null).Count()));
        // Another test assembly's VMs may hold this machine's slots for a while (MachineSlots); then one at a time is right.
        if (matrix.WaitedForMachine == 0) Assert.That(matrix.PeakConcurrency, Is.EqualTo(2), "two VMs ran at the same time");
        else Assert.That(matrix.PeakConcurrency, Is.InRange(1, 2), $"{matrix.WaitedForMachine} cell(s) waited for another process's VMs");
        Assert.That(matrix.Cases.Select(c => c.Endpoint), Has.All.EqualTo(endpoint.Url));
        Assert.That(matrix.Cases.Select(c => c.Verdict.Target), Has.All.Contains("NetBSD"));
    }
}
