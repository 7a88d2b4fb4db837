using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scale;

[TestFixture, Category("Unit")]
public class KernelLabelsTests
{
    [Test]
    public void TheShortestTailThatTellsKernelsApart() =>
        Assert.That(KernelLabels.For([(null, "/k/kernel/netbsd"), (null, "/k/kernel-nomerge/netbsd"), (null, "/k/other/netbsd-GENERIC")]),
            Is.EqualTo(new[] { "kernel/netbsd", "kernel-nomerge/netbsd", "netbsd-GENERIC" }));

    [Test]
    public void GivenLabelsWinAndDuplicatesAreNumbered() =>
        Assert.That(KernelLabels.For([("baseline", "/a/netbsd"), (null, "/a/netbsd"), (null, "/a/netbsd")]),
            Is.EqualTo(new[] { "baseline", "a/netbsd#1", "a/netbsd#2" }));
}

[TestFixture, Category("Unit")]
public class DockerEndpointParseTests
{
    [TestCase("unix:///var/run/docker.sock")]
    [TestCase("tcp://127.0.0.1:23752")]
    [TestCase("tcp://build-box.example:2375")]
    public void DockerHostStyleUrlsAreAccepted(string url) => Assert.That(DockerEndpoint.Parse(url).Uri, Is.EqualTo(new Uri(url)));

    [TestCase("docker.sock")]
    [TestCase("http://127.0.0.1:2375")]
    [TestCase("tcp://127.0.0.1")]
    [TestCase("unix://")]
    [TestCase("ssh://me@box")]
    public void OthersAreRefusedWithTheFormsThatWork(string url) =>
        Assert.That(() => DockerEndpoint.Parse(url), Throws.TypeOf<FormatException>().With.Message.Contains("tcp://host:port"));
}
