using KernelShim.Harness.Machine;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Machine;

[TestFixture, Category("Unit")]
public class QemuCommandLineTests
{
    private static MachineSpec Spec(BootMethod boot, AccelMode accel = AccelMode.Tcg) => new()
    {
        WorkDir = "/tmp/run1",
        Boot = boot,
        BootImage = "/in/kernel",
        Accel = new AccelChoice(accel, "test"),
        Disks = ["/in/root.img"],
    };

    private static string Line(MachineSpec s) => string.Join(' ', QemuCommandLine.Build(s));

    [Test]
    public void ConsoleIsMuxedCom0AndAgentIsCom1()
    {
        var line = Line(Spec(BootMethod.DirectKernel));
        int con = line.IndexOf("-serial chardev:con0", StringComparison.Ordinal);
        int agent = line.IndexOf("-serial chardev:agent", StringComparison.Ordinal);
        Assert.That(con, Is.GreaterThan(0));
        Assert.That(agent, Is.GreaterThan(con), "com0 must be the console, com1 the agent");
        Assert.That(line, Does.Contain("path=/tmp/run1/console.sock,server=on,wait=on,mux=on"));
        Assert.That(line, Does.Contain("-snapshot"));
        Assert.That(line, Does.Contain("-accel tcg"));
        Assert.That(line, Does.Not.Contain("-cpu host"));
        Assert.That(line, Does.Contain("-kernel /in/kernel"));
        Assert.That(line, Does.EndWith("-drive file=/in/root.img,format=raw,if=virtio"));
    }

    [Test]
    public void GrubIsoBootsFromCdrom() =>
        Assert.That(Line(Spec(BootMethod.GrubIso)), Does.Contain("-drive file=/in/kernel,media=cdrom,if=ide,readonly=on -boot d"));

    [Test]
    public void KvmUsesTheHostCpu() =>
        Assert.That(Line(Spec(BootMethod.DirectKernel, AccelMode.Kvm)), Does.Contain("-accel kvm").And.Contain("-cpu host"));

    [Test]
    public void MountsCoverWorkDirAndInputs() =>
        Assert.That(Spec(BootMethod.DirectKernel).MountedDirectories(), Is.EquivalentTo(new[] { "/tmp/run1", "/in" }));

    [Test]
    public void InputFilesAreWhatCopyModeUploads() =>
        Assert.That(Spec(BootMethod.DirectKernel).InputFiles(), Is.EqualTo(new[] { "/in/kernel", "/in/root.img" }));
}
