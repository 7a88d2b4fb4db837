using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Sessions;
using NUnit.Framework;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// One NetBSD VM shared by a fixture: the inputs from KSHIM_KERNEL and
/// KSHIM_SYS (skipped, naming what is missing, without them), the guest
/// side built or reused, booted in the runner container to READY.  The VM
/// holds one of this machine's VM slots (<see cref="MachineSlots"/>) while it
/// runs, so that the kernel sets' test runs and matrix tests going on beside
/// it keep to the cores instead of slowing each other down.
/// </summary>
public abstract class NetBsdVm
{
    protected NetBsdSetup Setup = null!;
    protected VmSession Session = null!;
    protected ReadyInfo Ready = null!;
    protected AgentDevice Device = null!;
    protected UvmshimClient Client = null!;
    private string _work = "";
    private IDisposable? _slot;

    [OneTimeSetUp]
    public async Task Boot()
    {
        var inputs = NetBsdInputs.From(null, null);
        if (inputs.Missing() is { } missing)
            Assert.Ignore($"NetBSD tests need a kernel and its sys tree: {missing}");
        Setup = await NetBsdSetup.PrepareAsync(inputs, AccelMode.Auto, l => TestContext.Progress.WriteLine(l));
        _slot = await MachineSlots.AcquireAsync(Environment.ProcessorCount, l => TestContext.Progress.WriteLine(l));
        _work = Directory.CreateTempSubdirectory("kshim-nbt-").FullName;
        var spec = NetBsdMachine.Spec(Setup.Kernel, Setup.Guest, _work, Setup.Accel);
        Session = await VmSession.StartAsync(new DockerQemuBackend(Setup.Runner, Setup.Image), spec);
        Ready = await Session.Agent.WaitReadyAsync(TimeSpan.FromSeconds(90));
        TestContext.Progress.WriteLine($"READY: {Ready} (accel {Setup.Accel})");
        Assert.That(Ready.ModuleError, Is.Zero, "the agent loaded /stand/uvmshim.kmod");
        Device = new AgentDevice(Session.Agent, DeviceKind.Kernel, Ready.OsVersion) { Deadline = TimeSpan.FromSeconds(120) };
        Client = new UvmshimClient(Device);
    }

    [OneTimeTearDown]
    public async Task PowerOff()
    {
        if (Session is not null)
        {
            TestContext.Out.WriteLine($"console: {Session.ConsoleLogPath}");
            if (Session.Watcher.FirstFatal is { } f) TestContext.Out.WriteLine($"FATAL on the console: {f}\n{Session.Console.Tail()}");
            await Session.DisposeAsync();
        }
        if (Setup is not null) await Setup.DisposeAsync();
        _slot?.Dispose();
    }

    /// <summary>The kernel must still be alive and quiet after each test.</summary>
    [TearDown]
    public void NoPanic()
    {
        if (Session?.Watcher.FirstFatal is { } f)
            Assert.Fail($"the kernel said {f}\n{Session.Console.Tail()}");
    }
}
