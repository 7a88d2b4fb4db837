using KernelShim.Harness.Machine;
using KernelShim.Harness.WarmStart;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.WarmStart;

[TestFixture, Category("Unit")]
public class WarmStartKeyTests
{
    private static MachineSpec Spec(string work = "/tmp/cell-1") => new()
    {
        WorkDir = work,
        Boot = BootMethod.GrubIso,
        BootImage = "/cache/guest/abc/boot.iso",
        Disks = ["/cache/guest/abc/root.img"],
        Accel = new AccelChoice(AccelMode.Tcg, "test"),
        MemoryMiB = 512,
        DebugExitDevice = false,
    };

    private const string Guest = "0123456789abcdef0123";
    private const string Image = "kshim-runner:6c74a36a984da07c";

    [Test]
    public void TheSameVmInAnotherWorkDirectoryHasTheSameKey() =>
        Assert.That(WarmStartKey.Compute(Guest, Spec("/tmp/cell-2"), Image), Is.EqualTo(WarmStartKey.Compute(Guest, Spec(), Image)));

    [Test]
    public void ALoadedStateDoesNotChangeTheKey() =>
        Assert.That(WarmStartKey.Compute(Guest, Spec() with { IncomingState = "/cache/warm/k/state" }, Image),
            Is.EqualTo(WarmStartKey.Compute(Guest, Spec(), Image)));

    [Test]
    public void EveryInputChangesTheKey()
    {
        var key = WarmStartKey.Compute(Guest, Spec(), Image);
        var changed = new Dictionary<string, string>
        {
            ["guest build (kernel, sys tree, agent, module)"] = WarmStartKey.Compute("0123456789abcdef0124", Spec(), Image),
            ["runner image"] = WarmStartKey.Compute(Guest, Spec(), "kshim-runner:0000000000000000"),
            ["guest memory"] = WarmStartKey.Compute(Guest, Spec() with { MemoryMiB = 256 }, Image),
            ["CPUs"] = WarmStartKey.Compute(Guest, Spec() with { Cpus = 2 }, Image),
            ["accelerator"] = WarmStartKey.Compute(Guest, Spec() with { Accel = new AccelChoice(AccelMode.Kvm, "test") }, Image),
            ["boot method"] = WarmStartKey.Compute(Guest, Spec() with { Boot = BootMethod.DirectKernel, BootImage = "/k/netbsd" }, Image),
            ["disks"] = WarmStartKey.Compute(Guest, Spec() with { Disks = ["/cache/guest/def/root.img"] }, Image),
            ["devices"] = WarmStartKey.Compute(Guest, Spec() with { DebugExitDevice = true }, Image),
        };
        foreach (var (input, other) in changed)
            Assert.That(other, Is.Not.EqualTo(key), $"changing the {input} must change the key");
        Assert.That(changed.Values.Distinct().Count(), Is.EqualTo(changed.Count));
    }

    [Test]
    public void TheKeyedTextNamesItsInputs()
    {
        var text = WarmStartKey.Describe(Guest, Spec(), Image);
        Assert.That(text, Does.Contain(Guest).And.Contain(Image).And.Contain("-m 512").And.Contain(WarmStartKey.Format));
        Assert.That(text, Does.Not.Contain("/tmp/cell-1"), "the work directory is not an input");
    }

    [Test]
    public void AStateIsLoadedThroughQemusIncomingMigration()
    {
        var spec = Spec() with { IncomingState = "/cache/warm/k/state" };
        Assert.That(string.Join(' ', QemuCommandLine.Build(spec)), Does.EndWith("-incoming defer"), "what to load is said through QMP");
        Assert.That(QemuCommandLine.IncomingUri(spec.IncomingState!), Is.EqualTo("exec:cat '/cache/warm/k/state'"));
        Assert.That(spec.InputFiles(), Does.Contain("/cache/warm/k/state"), "copy mode uploads it, bind mode mounts its directory");
        Assert.That(spec.MountedDirectories(), Does.Contain("/cache/warm/k"));
        Assert.Throws<MachineStartException>(() => QemuCommandLine.IncomingUri("/x/it's"));
    }

    [Test]
    public void ARamImageIsMappedPrivateAndTheLiveRamShared()
    {
        var restore = string.Join(' ', QemuCommandLine.Build(Spec() with { RamFile = "/cache/warm/k/ram" }));
        Assert.That(restore, Does.Contain("-object memory-backend-file,id=ram0,size=512M,mem-path=/cache/warm/k/ram,share=off -machine memory-backend=ram0"));
        var saving = string.Join(' ', QemuCommandLine.Build(Spec() with { RamFile = "/dev/shm/x/ram", RamShared = true }));
        Assert.That(saving, Does.Contain("share=on"));
        Assert.That((Spec() with { RamFile = "/cache/warm/k/ram" }).WritableDirectories(), Does.Contain("/cache/warm/k"),
            "QEMU opens a RAM file read-write even when it maps it private");
    }

    [Test]
    public void TheStateLayoutIsPartOfTheKeyButTheRamFileIsNot()
    {
        Assert.That(WarmStartKey.Compute(Guest, Spec(), Image, ramFile: true), Is.Not.EqualTo(WarmStartKey.Compute(Guest, Spec(), Image)));
        Assert.That(WarmStartKey.Compute(Guest, Spec() with { RamFile = "/dev/shm/x/ram", RamShared = true }, Image, ramFile: true),
            Is.EqualTo(WarmStartKey.Compute(Guest, Spec(), Image, ramFile: true)));
    }
}
