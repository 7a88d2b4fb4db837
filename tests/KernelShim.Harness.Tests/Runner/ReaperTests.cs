using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

[TestFixture]
[Category("Docker")]
public sealed class ReaperTests : DockerTestBase
{
    private static readonly TimeSpan ChildLimit = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Containers_of_a_harness_killed_with_SIGKILL_are_reaped()
    {
        string id;
        int childPid;
        using (var child = await ChildHarness.StartAsync(Image, ChildLimit))
        {
            id = child.ContainerId;
            childPid = child.Pid;
            try
            {
                var details = await Runner.InspectAsync(id);
                Assert.That(details.Labels[KernelShimLabels.OwnerPid], Is.EqualTo(childPid.ToString()));
                Assert.That(details.Running, Is.True);

                child.KillHard();
                Assert.That(await Runner.ExistsAsync(id), Is.True, "SIGKILL left no chance to clean up: the container must still be there");

                var reaped = await new Reaper(Runner).ReapAsync();

                var mine = reaped.SingleOrDefault(r => r.Id == id);
                Assert.That(mine, Is.Not.Null, $"the reaper did not remove {id}; it removed: {string.Join("; ", reaped)}");
                Assert.That(mine!.Reason, Is.EqualTo(OwnerLiveness.Dead));
                Assert.That(mine.Owner.Pid, Is.EqualTo(childPid));
                Assert.That(await Runner.ExistsAsync(id), Is.False);
            }
            finally
            {
                await Runner.RemoveAsync(id); // never leave the child's container behind
            }
        }
    }

    [Test]
    public async Task Containers_of_live_owners_are_left_alone()
    {
        await using var mine = await Runner.CreateAsync(RunnerSpec("sleep", "600").Build());
        await mine.StartAsync();
        using var child = await ChildHarness.StartAsync(Image, ChildLimit);
        try
        {
            var reaped = await new Reaper(Runner).ReapAsync();

            Assert.That(reaped.Select(r => r.Id), Has.No.Member(mine.Id).And.No.Member(child.ContainerId));
            Assert.That(await Runner.ExistsAsync(mine.Id), Is.True);
            Assert.That(await Runner.ExistsAsync(child.ContainerId), Is.True);
        }
        finally
        {
            child.KillHard();
            await Runner.RemoveAsync(child.ContainerId);
        }
    }

    [Test]
    public async Task A_reused_pid_does_not_keep_a_container_alive()
    {
        // A container that claims this very pid, but with another start time: the pid was reused.
        var impostor = new HarnessSession(Guid.NewGuid(),
            OwnerIdentity.Current with { StartTicks = OwnerIdentity.Current.StartTicks - 1 });
        await using var other = new DockerRunner(session: impostor, reapStale: false);
        var container = await other.CreateAsync(RunnerSpec("true").Build());
        try
        {
            var reaped = await new Reaper(Runner).ReapAsync();

            Assert.That(reaped.SingleOrDefault(r => r.Id == container.Id)?.Reason, Is.EqualTo(OwnerLiveness.PidReused));
            Assert.That(await Runner.ExistsAsync(container.Id), Is.False);
        }
        finally
        {
            await container.RemoveAsync();
        }
    }
}
