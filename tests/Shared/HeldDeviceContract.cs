using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using NUnit.Framework;
using static KernelShim.Bindings.KshimAgentProto;
using static KernelShim.Bindings.UvmshimIoctl;

namespace KernelShim.Tests.Shared;

/// <summary>
/// The module's unload contract, seen through an agent: while its device is held open
/// (MODULE HOLD) an unload fails with EBUSY, frees nothing, and the device keeps
/// answering; once released the module unloads and loads again.  One sequence, linked
/// into the Docker tests (the test guest's emulated module) and the NetBSD tests (the
/// kmod on a real kernel), so that the emulation is held to what the kernel does.
/// </summary>
public static class HeldDeviceContract
{
    /// <param name="unloadedIoctlError">
    /// What an ioctl answers once the module is gone: ENXIO on the test guest (no
    /// driver behind the device), ENOENT on NetBSD (the agent removed the node).
    /// </param>
    public static async Task RunAsync(AgentClient agent, UvmshimClient client, int unloadedIoctlError,
        CancellationToken ct = default)
    {
        ulong pg = client.Version().page_size;
        uint m = client.CreateMap(16 * pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        client.Map(m, 0, 4 * pg, flags: UVMSHIM_MAPF_FIXED);
        try
        {
            Assert.That(await agent.HoldDeviceAsync(ct: ct), Is.Zero, "hold");
            Assert.That(await agent.HoldDeviceAsync(ct: ct), Is.EqualTo(KSHIM_EALREADY), "a second hold");
            Assert.That(await agent.ModuleAsync(kshim_module_op.KSHIM_MODULE_UNLOAD, ct: ct), Is.EqualTo(UVMSHIM_EBUSY),
                "unload while the device is held open");
            Assert.That(client.Version().abi_version, Is.EqualTo(UVMSHIM_ABI_VERSION), "the device still answers");
            Assert.That(client.Dump(m), Has.Length.EqualTo(1), "the refused unload freed nothing");

            Assert.That(await agent.ReleaseDeviceAsync(ct: ct), Is.Zero, "release");
            Assert.That(await agent.ReleaseDeviceAsync(ct: ct), Is.EqualTo(KSHIM_EBADF), "a second release");
            Assert.That(await agent.ModuleAsync(kshim_module_op.KSHIM_MODULE_UNLOAD, ct: ct), Is.Zero, "unload once released");
            var v = new uvmshim_version();
            Assert.That(client.Device.Ioctl(UVMSHIM_IOC_VERSION, ref v), Is.EqualTo(unloadedIoctlError), "no device once unloaded");
            Assert.That(await agent.ModuleAsync(kshim_module_op.KSHIM_MODULE_LOAD, ct: ct), Is.Zero, "load again");
            uint n = client.CreateMap(16 * pg, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
            client.Map(n, 0, 4 * pg, flags: UVMSHIM_MAPF_FIXED);
            client.DestroyMap(n);
        }
        finally
        {
            // Whatever failed, leave the module loaded and nothing held for the next test.
            await agent.ReleaseDeviceAsync(ct: ct);
            await agent.ModuleAsync(kshim_module_op.KSHIM_MODULE_LOAD, ct: ct);
        }
    }
}
