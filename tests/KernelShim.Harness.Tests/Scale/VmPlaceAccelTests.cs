using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scale;

[TestFixture, Category("Unit")]
public class VmPlaceAccelTests
{
    [Test]
    public void AnotherMachineRunsTcgUnlessKvmIsAskedFor()
    {
        var remote = DockerEndpoint.Parse("tcp://build-box.example:2375");
        Assert.That(VmPlace.ChooseAccel(remote, AccelMode.Auto).Mode, Is.EqualTo(AccelMode.Tcg));
        Assert.That(VmPlace.ChooseAccel(remote, AccelMode.Auto).Reason, Does.Contain("cannot be probed"));
        Assert.That(VmPlace.ChooseAccel(remote, AccelMode.Kvm).Mode, Is.EqualTo(AccelMode.Kvm));
    }

    [TestCase("unix:///var/run/docker.sock", true)]
    [TestCase("tcp://127.0.0.1:23752", true)]
    [TestCase("tcp://localhost:23752", true)]
    [TestCase("tcp://10.1.2.3:2375", false)]
    public void LoopbackAndUnixSocketsAreThisMachine(string url, bool local) =>
        Assert.That(DockerEndpoint.Parse(url).IsOnThisMachine, Is.EqualTo(local));
}
