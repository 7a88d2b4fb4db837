using System.Diagnostics;
using KernelShim.Harness.Scale;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scale;

[TestFixture, Category("Unit"), NonParallelizable]
public class MachineSlotsTests
{
    private string? _saved;
    private string _dir = "";

    [SetUp]
    public void PrivateSlotDirectory()
    {
        _saved = Environment.GetEnvironmentVariable("KSHIM_SLOTS_DIR");
        _dir = Directory.CreateTempSubdirectory("kshim-slots-test-").FullName;
        Environment.SetEnvironmentVariable("KSHIM_SLOTS_DIR", _dir);
    }

    [TearDown]
    public void Restore()
    {
        Environment.SetEnvironmentVariable("KSHIM_SLOTS_DIR", _saved);
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task NoMoreLeasesThanSlotsAndAFreedOneIsTakenAgain()
    {
        using var a = await MachineSlots.AcquireAsync(2);
        var b = await MachineSlots.AcquireAsync(2);
        string? waited = null;
        var third = MachineSlots.AcquireAsync(2, line => waited = line);
        await Task.Delay(600);
        Assert.That(third.IsCompleted, Is.False, "both slots are held");
        Assert.That(waited, Does.Contain("all 2 VM slot(s) of this machine are held by pid " + Environment.ProcessId + " (this kshim)"));
        b.Dispose();
        using var c = await third.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ASlotHeldByAnotherProcessIsWaitedFor()
    {
        // flock(1) takes the same flock(2) lock another kshim process would.
        var path = Path.Combine(_dir, "slot-0.lock");
        using var holder = Process.Start(new ProcessStartInfo("flock", [path, "sleep", "1.5"]))!;
        await Task.Delay(300);
        var clock = Stopwatch.StartNew();
        using var lease = await MachineSlots.AcquireAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(0.8)), "it waited for the other process");
        // The lock goes when flock exits; .NET may see the exit a moment later than the lock is free.
        Assert.That(holder.WaitForExit(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public async Task TheWaitNamesTheOtherProcessHoldingTheSlot()
    {
        var path = Path.Combine(_dir, "slot-0.lock");
        File.WriteAllText(path, "");
        using var holder = Process.Start(new ProcessStartInfo("flock", [path, "sleep", "3"]))!;
        await Task.Delay(500);
        string? said = null;
        using var lease = await MachineSlots.AcquireAsync(1, line => said ??= line).WaitAsync(TimeSpan.FromSeconds(20));
        // flock(1) forks sleep holding the lock: the holder is flock's pid or its child's.
        Assert.That(said, Does.Match($@"held by pid \d+ \((flock|sleep) "), said);
    }

    [Test]
    public void CancellationEndsTheWait()
    {
        using var held = MachineSlots.AcquireAsync(1).GetAwaiter().GetResult();
        using var cts = new CancellationTokenSource(300);
        Assert.That(async () => await MachineSlots.AcquireAsync(1, ct: cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }
}
