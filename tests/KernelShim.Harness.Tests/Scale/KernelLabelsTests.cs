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
