using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

[TestFixture]
[Category("Docker")]
public sealed class ExitCleanupTests : DockerTestBase
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [TestCase(SigTerm, TestName = "SIGTERM to a harness removes its containers")]
    [TestCase(SigInt, TestName = "SIGINT (Ctrl-C) to a harness removes its containers")]
    public async Task A_signalled_harness_removes_its_containers(int signal)
    {
        using var child = await ChildHarness.StartAsync(Image, TimeSpan.FromSeconds(60));
        try
        {
            Assert.That(await Runner.ExistsAsync(child.ContainerId), Is.True);

            var exited = child.Signal(signal, TimeSpan.FromSeconds(30));

            Assert.That(exited, Is.True, "the child harness did not exit on the signal");
            Assert.That(await Runner.ExistsAsync(child.ContainerId), Is.False,
                $"the child's container survived signal {signal}: {child.Stderr()}");
        }
        finally
        {
            await Runner.RemoveAsync(child.ContainerId);
        }
    }
}
