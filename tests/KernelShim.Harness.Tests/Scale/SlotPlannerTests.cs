using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scale;

[TestFixture, Category("Unit")]
public class SlotPlannerTests
{
    private const long GiB = 1L << 30;
    private static readonly VmFootprint NetBsdVm = new(1, 672L << 20);

    private static EngineCapacity Engine(string url, string host, string id, int cpus, long memory) =>
        new(DockerEndpoint.Parse(url), host, id, cpus, memory);

    [Test]
    public void TwoCoresAndPlentyOfMemoryGiveTwoSlotsBoundedByCores()
    {
        var plan = SlotPlanner.Plan([Engine("unix:///var/run/docker.sock", "box", "A", 2, 24 * GiB)], NetBsdVm);
        Assert.That(plan.Total, Is.EqualTo(2));
        Assert.That(plan.Endpoints[0].Reason, Does.StartWith("bounded by cores"));
    }

    [Test]
    public void LittleMemoryBoundsTheSlotsAndSaysSo()
    {
        // 3 GiB less the 1 GiB host reserve holds 3 VMs of 672 MiB, though there are 16 cores.
        var plan = SlotPlanner.Plan([Engine("tcp://10.0.0.2:2375", "small", "B", 16, 3 * GiB)], NetBsdVm);
        Assert.That(plan.Total, Is.EqualTo(3));
        Assert.That(plan.Endpoints[0].Reason, Does.StartWith("bounded by memory"));
    }

    [Test]
    public void EnginesOnOneMachineShareItsBudget()
    {
        var plan = SlotPlanner.Plan([
            Engine("unix:///var/run/docker.sock", "box", "A", 2, 24 * GiB),
            Engine("tcp://127.0.0.1:23752", "box", "B", 2, 24 * GiB),
            Engine("tcp://10.0.0.9:2375", "other", "C", 4, 24 * GiB),
        ], NetBsdVm);
        Assert.That(plan.Endpoints.Select(e => e.Slots), Is.EqualTo(new[] { 1, 1, 4 }));
        Assert.That(plan.Notes, Has.Some.Contains("run on one machine (box)"));
    }

    [Test]
    public void OneEngineUnderTwoUrlsCountsOnce()
    {
        var plan = SlotPlanner.Plan([
            Engine("unix:///var/run/docker.sock", "box", "A", 2, 24 * GiB),
            Engine("tcp://127.0.0.1:2375", "box", "A", 2, 24 * GiB),
        ], NetBsdVm);
        Assert.That(plan.Endpoints, Has.Count.EqualTo(1));
        Assert.That(plan.Total, Is.EqualTo(2));
        Assert.That(plan.Notes, Has.Some.Contains("same engine"));
    }

    [Test]
    public void JobsLowersTheTotalAndSpreadsItOverEndpoints()
    {
        var engines = new[]
        {
            Engine("tcp://10.0.0.1:2375", "a", "A", 8, 64 * GiB),
            Engine("tcp://10.0.0.2:2375", "b", "B", 8, 64 * GiB),
        };
        var plan = SlotPlanner.Plan(engines, NetBsdVm, maxJobs: 3);
        Assert.That(plan.Endpoints.Select(e => e.Slots), Is.EqualTo(new[] { 2, 1 }));
        Assert.That(plan.Endpoints[0].Reason, Does.StartWith("--jobs 3"));
    }

    [Test]
    public void JobsCannotRaiseTheTotalAboveWhatTheMachinesHold()
    {
        var plan = SlotPlanner.Plan([Engine("unix:///var/run/docker.sock", "box", "A", 2, 24 * GiB)], NetBsdVm, maxJobs: 10);
        Assert.That(plan.Total, Is.EqualTo(2));
        Assert.That(plan.Notes, Has.Some.Contains("more VMs than the machines hold"));
    }

    [Test]
    public void AMachineTooSmallForOneVmGetsNoSlotAndANote()
    {
        var plan = SlotPlanner.Plan([Engine("tcp://10.0.0.3:2375", "tiny", "T", 4, GiB + (512L << 20))], NetBsdVm);
        Assert.That(plan.Total, Is.Zero);
        Assert.That(plan.Notes, Has.Some.Contains("cannot hold one VM"));
    }

    [Test]
    public void BadJobsAndNoEnginesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => SlotPlanner.Plan([], NetBsdVm));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SlotPlanner.Plan([Engine("unix:///var/run/docker.sock", "box", "A", 2, 24 * GiB)], NetBsdVm, maxJobs: 0));
    }

    [Test]
    public void TheFootprintIsTheGuestsMemoryPlusQemusOwn()
    {
        var spec = KernelShim.Harness.NetBsd.NetBsdMachine.Spec(
            new KernelShim.Harness.NetBsd.KernelInfo("/k", new KernelShim.Harness.NetBsd.NetBsdVersion(799000400), "7.99.4", false, ""),
            new KernelShim.Harness.NetBsd.GuestArtifacts("/g", "/g/agent", "/g/uvmshim.kmod", "/g/root.img", "/g/boot.iso", "key", true),
            "/w", new KernelShim.Harness.Machine.AccelChoice(KernelShim.Harness.Machine.AccelMode.Tcg, "test"));
        Assert.That(VmFootprint.For(spec), Is.EqualTo(new VmFootprint(1, (512L + VmFootprint.QemuOverheadMiB) << 20)));
    }
}
