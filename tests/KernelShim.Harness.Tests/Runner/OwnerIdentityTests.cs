using System.Diagnostics;
using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

[TestFixture]
[Category("Unit")]
public sealed class OwnerIdentityTests
{
    [Test]
    public void This_process_is_alive()
    {
        var me = OwnerIdentity.Current;
        Assert.Multiple(() =>
        {
            Assert.That(me.Pid, Is.EqualTo(Environment.ProcessId));
            Assert.That(me.StartTicks, Is.GreaterThan(0));
            Assert.That(me.BootId, Is.Not.Empty);
            Assert.That(me.Check(), Is.EqualTo(OwnerLiveness.Alive));
        });
    }

    [Test]
    public void Same_pid_with_another_start_time_is_a_reused_pid()
    {
        var impostor = OwnerIdentity.Current with { StartTicks = OwnerIdentity.Current.StartTicks + 1 };
        Assert.That(impostor.Check(), Is.EqualTo(OwnerLiveness.PidReused));
    }

    [Test]
    public void Another_boot_id_is_an_earlier_boot()
    {
        var old = OwnerIdentity.Current with { BootId = "00000000-0000-0000-0000-000000000000" };
        Assert.That(old.Check(), Is.EqualTo(OwnerLiveness.EarlierBoot));
    }

    [Test]
    public void Another_host_is_not_judged()
    {
        var remote = OwnerIdentity.Current with { Host = "somewhere-else" };
        Assert.That(remote.Check(), Is.EqualTo(OwnerLiveness.OtherHost));
    }

    [Test]
    public void A_killed_child_is_dead()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var identity = OwnerIdentity.Of(child.Id);
        Assert.That(identity, Is.Not.Null);
        Assert.That(identity!.Check(), Is.EqualTo(OwnerLiveness.Alive));

        child.Kill();
        child.WaitForExit();

        Assert.That(identity.Check(), Is.EqualTo(OwnerLiveness.Dead));
        Assert.That(OwnerIdentity.Of(child.Id), Is.Null);
    }

    [Test]
    public void Labels_round_trip()
    {
        var me = OwnerIdentity.Current;
        var labels = new Dictionary<string, string>(me.ToLabels());
        Assert.That(OwnerIdentity.FromLabels(labels), Is.EqualTo(me));
    }

    [Test]
    public void Labels_without_a_valid_pid_name_no_owner()
    {
        Assert.That(OwnerIdentity.FromLabels(new Dictionary<string, string>()), Is.Null);
        Assert.That(OwnerIdentity.FromLabels(new Dictionary<string, string> { [KernelShimLabels.OwnerPid] = "x" }), Is.Null);
        Assert.That(OwnerIdentity.FromLabels(new Dictionary<string, string> { [KernelShimLabels.OwnerPid] = "0" }), Is.Null);
    }

    [Test]
    public void Proc_stat_parsing_survives_odd_command_names()
    {
        const string line = "1234 (we ird) (x)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100";
        var stat = ProcStat.Parse(line);
        Assert.That(stat, Is.EqualTo(new ProcStat('S', 987654)));
    }
}
