using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.TestGuest;
using KernelShim.Harness.Tests.Runner;
using KernelShim.Harness.Verdicts;
using KernelShim.Tests.Shared;
using NUnit.Framework;
using static KernelShim.Harness.Tests.TestGuest.TestGuestBodies;

namespace KernelShim.Harness.Tests.TestGuest;

/// <summary>
/// Every verdict path, for real: the test guest boots under QEMU (TCG) in
/// the runner container and is told to panic, hang, garble or go silent.
/// </summary>
[TestFixture, Category("Docker")]
public class TestGuestVerdictTests : DockerTestBase
{
    private string _kernel = "";
    private string _work = "";

    [OneTimeSetUp]
    public void BuildGuest() => _kernel = TestGuestKernel.Build();

    [SetUp]
    public void FreshWorkDir() => _work = Directory.CreateTempSubdirectory("kshim-tg-").FullName;

    [TearDown]
    public void RemoveWorkDir()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            TestContext.Out.WriteLine($"work directory kept: {_work}");
        else
            Directory.Delete(_work, recursive: true);
    }

    private GuestRun Run(MachineSpec? spec = null, RunDeadlines? deadlines = null) =>
        new(new DockerQemuBackend(Runner, Image), spec ?? TestGuestKernel.Spec(_kernel, _work), deadlines ?? Quick)
        {
            Target = "test guest",
            Progress = line => TestContext.Progress.WriteLine(line),
        };

    [Test]
    public async Task BootsToReadyAndAnswersIoctlsThroughTheModelInside()
    {
        var v = await Run().RunAsync(AnswerIoctls);
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Passed), v.ToString());
        Assert.That(v.Target, Does.Contain("tcg"), "the accelerator is recorded in the verdict");
    }

    /// <summary>NetBSD's ENXIO: the test guest's device with no module behind it.</summary>
    private const int NetBsdENXIO = 6;

    [Test]
    public async Task AHeldDeviceKeepsTheEmulatedModuleFromUnloading()
    {
        var v = await Run().RunAsync(async (s, _, ct) =>
        {
            var client = new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.TestGuest, "test guest"));
            await HeldDeviceContract.RunAsync(s.Agent, client, NetBsdENXIO, ct);
            return Verdict.Passed("EBUSY while held, unloaded once released, loaded again");
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Passed), v.ToString());
    }

    [Test]
    public async Task PanicIsAPanicVerdictWithDdbEvidence()
    {
        var v = await Run().RunAsync(Panic);
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Panic));
        Assert.That(v.Summary, Does.Contain("DiagnosticAssertion"));
        Assert.That(v.Evidence.Single(e => e.Name == "ddb").Text, Does.Contain("db{0}>"));
        Assert.That(File.ReadAllText(v.Evidence.Single(e => e.Name == "console").File!), Does.Contain("panic: kernel diagnostic assertion"));
    }

    [Test]
    public async Task LockingAgainstMyselfIsAPanicOfItsOwnKind()
    {
        var v = await Run().RunAsync(async (s, _, ct) =>
        {
            await TestGuestKernel.FaultAsync(s.Agent, kshim_fault_mode.KSHIM_FAULT_LOCK_AGAINST_MYSELF, ct: ct);
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return Verdict.Passed("should not get here");
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Panic));
        Assert.That(v.Summary, Does.Contain("LockingAgainstMyself"));
    }

    [Test]
    public async Task AHangIsATimeoutWithADdbTranscriptFromABreak()
    {
        var v = await Run().RunAsync(Hang);
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Timeout));
        Assert.That(v.Summary, Does.Contain("stopped answering"));
        var ddb = v.Evidence.Single(e => e.Name == "ddb").Text;
        Assert.That(ddb, Does.Contain("db{0}>"));
        Assert.That(ddb, Does.Contain("bt/a 0x"), "a stack for each sleeping LWP that ps listed");
    }

    [Test]
    public async Task SilenceWhileTheConsoleTicksIsATimeout()
    {
        var v = await Run().RunAsync(async (s, _, ct) =>
        {
            await TestGuestKernel.FaultAsync(s.Agent, kshim_fault_mode.KSHIM_FAULT_SILENT, ct: ct);
            await s.Agent.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Quick.Request, ct);
            return Verdict.Passed("should not get here");
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Timeout));
    }

    [Test]
    public async Task GarbledFramesAreRecoveredByCrcAndRetry()
    {
        AgentChannelStats? stats = null;
        var v = await Run().RunAsync(async (s, _, ct) =>
        {
            await TestGuestKernel.FaultAsync(s.Agent, kshim_fault_mode.KSHIM_FAULT_GARBLE, 3, ct);
            var client = new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.TestGuest, "test guest"));
            for (int i = 0; i < 5; i++) client.Version();
            stats = s.Agent.Stats;
            return Verdict.Passed("recovered");
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Passed), v.ToString());
        Assert.That(stats!.FramesBadCrc + stats.GarbageBytes, Is.GreaterThan(0), "the guest really garbled frames");
        Assert.That(stats.Resends, Is.GreaterThanOrEqualTo(3));
    }

    /// <summary>
    /// A request that runs 25 s, far beyond the old resend budget (6 attempts
    /// of 3 s): ACCEPTED makes the harness wait for it instead of giving up, and
    /// the hang probe's looks (ddb shows the agent on the CPU) never turn it into a verdict.
    /// </summary>
    [Test]
    public async Task ARequestStalledBeyondTheResendBudgetPassesOnAccepted()
    {
        AgentChannelStats? stats = null;
        TimeSpan took = default;
        var v = await Run().RunAsync(async (s, _, ct) =>
        {
            await TestGuestKernel.FaultAsync(s.Agent, kshim_fault_mode.KSHIM_FAULT_STALL, 25_000, ct);
            // A deadline far from the stall: a starved TCG guest's calibrated clock can run long.
            var client = new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.TestGuest, "test guest") { Deadline = TimeSpan.FromSeconds(120) });
            var watch = System.Diagnostics.Stopwatch.StartNew();
            client.Version();
            took = watch.Elapsed;
            stats = s.Agent.Stats;
            return Verdict.Passed("waited");
        });
        Report(v);
        TestContext.Out.WriteLine($"stalled request answered after {took.TotalSeconds:0.0} s; the hang probe looked {stats?.Probes} time(s)");
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Passed), v.ToString());
        Assert.That(took, Is.GreaterThan(TimeSpan.FromSeconds(24)), "the guest really stalled");
        Assert.That(stats!.Accepted, Is.GreaterThanOrEqualTo(2), "FAULT and the stalled request were ACCEPTED");
        Assert.That(stats.Resends, Is.Zero);
    }

    [Test]
    public async Task AnAgentRestartIsALostConnection()
    {
        var v = await Run().RunAsync(async (s, _, ct) =>
        {
            await TestGuestKernel.FaultAsync(s.Agent, kshim_fault_mode.KSHIM_FAULT_REBOOT, ct: ct);
            await s.Agent.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Quick.Request, ct);
            return Verdict.Passed("should not get here");
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.LostConnection));
        Assert.That(v.Summary, Does.Contain("restarted"));
    }

    [Test]
    public async Task QemuDyingMidRunIsALostConnection()
    {
        var v = await Run().RunAsync(async (s, _, ct) =>
        {
            await s.Process.KillAsync();
            await s.Agent.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Quick.Request, ct);
            return Verdict.Passed("should not get here");
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.LostConnection));
    }

    [Test]
    public async Task TheWallClockDeadlineEndsARun()
    {
        var v = await Run(deadlines: Quick with { Wall = TimeSpan.FromSeconds(8) }).RunAsync(async (s, _, ct) =>
        {
            await Task.Delay(TimeSpan.FromMinutes(5), CancellationToken.None);
            return Verdict.Passed("should not get here");
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Timeout));
        Assert.That(v.Summary, Does.Contain("wall-clock"));
    }

    [Test]
    public async Task ADiskThatBootsNothingIsNoOutput()
    {
        var disk = Path.Combine(_work, "blank.img");
        await File.WriteAllBytesAsync(disk, new byte[1 << 20]);
        var spec = TestGuestKernel.Spec(_kernel, _work) with { Boot = BootMethod.DiskImage, BootImage = disk };
        var v = await Run(spec, Quick with { Boot = TimeSpan.FromSeconds(5) }).RunAsync((_, _, _) => Task.FromResult(Verdict.Passed("no")));
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.NoOutput));
    }

    [Test]
    public async Task AMissingKernelIsAnInfrastructureError()
    {
        var spec = TestGuestKernel.Spec(Path.Combine(_work, "no-such-kernel"), _work);
        var v = await Run(spec).RunAsync((_, _, _) => Task.FromResult(Verdict.Passed("no")));
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.InfrastructureError));
        Assert.That(v.Summary, Does.Contain("no-such-kernel"));
    }
}
