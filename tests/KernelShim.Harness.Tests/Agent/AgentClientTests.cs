using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Agent;

[TestFixture, Category("Unit")]
public class AgentClientTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly AgentClientOptions Fast = new() { ResendAfter = TimeSpan.FromMilliseconds(200) };

    internal static async Task<(AgentClient Client, ScriptedAgent Agent)> ConnectAsync(AgentClientOptions? options = null,
        uint protocolVersion = KshimAgentProto.KSHIM_PROTO_VERSION)
    {
        var (host, guest) = DuplexPipe.Create();
        var agent = new ScriptedAgent(guest, protocolVersion: protocolVersion);
        var client = new AgentClient(host, options ?? Fast);
        await agent.SendReadyAsync();
        await client.WaitReadyAsync(Deadline);
        return (client, agent);
    }

    [Test]
    public async Task ReadyCarriesTheBootIdAndOsVersion()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        Assert.That(client.Ready!.BootId, Is.EqualTo(0x1111UL));
        Assert.That(client.Ready.OsVersion, Is.EqualTo("scripted 1"));
    }

    [Test]
    public async Task IoctlThroughTheAgentDevice()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        var device = new AgentDevice(client, DeviceKind.TestGuest, "scripted");
        var v = new UvmshimClient(device).Version();
        Assert.That(v.abi_version, Is.EqualTo(UvmshimIoctl.UVMSHIM_ABI_VERSION));
        Assert.That(device.LastGuestNanoseconds, Is.EqualTo(1000UL));
        var bad = new uvmshim_stats();
        Assert.That(device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_STATS, ref bad), Is.EqualTo(UvmshimIoctl.UVMSHIM_ENOTTY));
    }

    [Test]
    public async Task ModuleRequestsCarryTheOpAndPathAndReturnTheStatus()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        Assert.That(await client.HoldDeviceAsync(), Is.Zero);
        Assert.That(agent.LastModule, Is.EqualTo((kshim_module_op.KSHIM_MODULE_HOLD, AgentClient.UvmshimModulePath)));
        Assert.That(await client.HoldDeviceAsync(), Is.EqualTo(KshimAgentProto.KSHIM_EALREADY));
        Assert.That(await client.ReleaseDeviceAsync("uvmshim"), Is.Zero);
        Assert.That(agent.LastModule, Is.EqualTo((kshim_module_op.KSHIM_MODULE_RELEASE, "uvmshim")));
        Assert.That(await client.ModuleAsync(kshim_module_op.KSHIM_MODULE_UNLOAD), Is.Zero);
        Assert.That(agent.LastModule!.Value.Op, Is.EqualTo(kshim_module_op.KSHIM_MODULE_UNLOAD));
    }

    [Test]
    public async Task AModulePathTheAgentWouldRefuseIsNotSent()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        Assert.ThrowsAsync<ArgumentException>(() => client.ModuleAsync(kshim_module_op.KSHIM_MODULE_LOAD, ""));
        Assert.ThrowsAsync<ArgumentException>(() => client.ModuleAsync(kshim_module_op.KSHIM_MODULE_LOAD, new string('a', 64)));
        Assert.That(agent.Executions, Is.Zero);
    }

    [Test]
    public async Task GarbledAnswersAreRetriedWithoutRunningTheRequestTwice()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        agent.GarbleNextAnswers = 2;
        var answer = await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline);
        Assert.That(ReadyInfo.Parse(answer).BootId, Is.EqualTo(0x1111UL));
        Assert.That(agent.Executions, Is.EqualTo(1));
        Assert.That(client.Stats.FramesBadCrc, Is.EqualTo(2));
        Assert.That(client.Stats.Resends, Is.EqualTo(2));
    }

    [Test]
    public async Task NaksAndLostRequestsAreResent()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        agent.NakNext = 1;
        agent.DropNextRequests = 1;
        await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline);
        Assert.That(client.Stats.Naks, Is.EqualTo(1));
        Assert.That(client.Stats.Resends, Is.EqualTo(2));
        Assert.That(agent.Executions, Is.EqualTo(1));
    }

    [Test]
    public async Task SilenceEndsInATimeoutNamingTheRequest()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        agent.DropNextRequests = int.MaxValue;
        var e = Assert.ThrowsAsync<AgentTimeoutException>(() =>
            client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), TimeSpan.FromSeconds(1)));
        Assert.That(e!.Message, Does.Contain("KSHIM_FRAME_HELLO"));
    }

    [Test]
    public async Task ARestartIsDetected()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        agent.RestartOnNextRequest = true;
        var e = Assert.ThrowsAsync<AgentRestartedException>(() =>
            client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline));
        Assert.That(e!.Now.BootId, Is.Not.EqualTo(e.Previous.BootId));
    }

    [Test]
    public async Task AHangUpIsALostConnection()
    {
        var (client, agent) = await ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        agent.HangUpOnNextRequest = true;
        Assert.ThrowsAsync<AgentConnectionLostException>(() =>
            client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline));
    }

    [Test]
    public void NoReadyIsATimeout()
    {
        var (host, _) = DuplexPipe.Create();
        var client = new AgentClient(host, Fast);
        Assert.ThrowsAsync<AgentTimeoutException>(() => client.WaitReadyAsync(TimeSpan.FromMilliseconds(300)));
    }
}
