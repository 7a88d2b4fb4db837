using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.TestGuest;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.TestGuest;

/// <summary>What the test-guest fixtures share: short deadlines, the run bodies that pass, panic or hang, and the report.</summary>
internal static class TestGuestBodies
{
    public static readonly RunDeadlines Quick = new()
    {
        Boot = TimeSpan.FromSeconds(30), Wall = TimeSpan.FromSeconds(60), Request = TimeSpan.FromSeconds(5),
    };

    /// <summary>The model inside answers ioctls through the agent: a merge shows up as one entry.</summary>
    public static Task<Verdict> AnswerIoctls(VmSession s, ReadyInfo ready, CancellationToken ct)
    {
        Assert.That(ready.AgentKind, Is.EqualTo(uvmshim_target.UVMSHIM_TARGET_TESTGUEST));
        var client = new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.TestGuest, "test guest"));
        var version = client.Version();
        Assert.That(version.abi_version, Is.EqualTo(UvmshimIoctl.UVMSHIM_ABI_VERSION));
        uint m = client.CreateMap(64 * 4096, uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC);
        client.Map(m, 0, 4 * 4096, flags: UvmshimIoctl.UVMSHIM_MAPF_FIXED);
        var merged = client.Map(m, 4 * 4096, 4 * 4096, flags: UvmshimIoctl.UVMSHIM_MAPF_FIXED);
        Assert.That(merged.outcome, Is.EqualTo((uint)uvmshim_outcome.UVMSHIM_OUTCOME_BACK_MERGE));
        Assert.That(client.Dump(m), Has.Length.EqualTo(1));
        return Task.FromResult(Verdict.Passed("ioctls answered"));
    }

    /// <summary>Told to fail a KASSERT, the guest panics into its ddb.</summary>
    public static async Task<Verdict> Panic(VmSession s, ReadyInfo _, CancellationToken ct)
    {
        await TestGuestKernel.FaultAsync(s.Agent, kshim_fault_mode.KSHIM_FAULT_PANIC, ct: ct);
        await Task.Delay(TimeSpan.FromSeconds(30), ct);
        return Verdict.Passed("should not get here");
    }

    /// <summary>Told to hang, the guest stops answering; the harness breaks into ddb with Ctrl-A b.</summary>
    public static async Task<Verdict> Hang(VmSession s, ReadyInfo _, CancellationToken ct)
    {
        await TestGuestKernel.FaultAsync(s.Agent, kshim_fault_mode.KSHIM_FAULT_HANG, ct: ct);
        await s.Agent.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Quick.Request, ct);
        return Verdict.Passed("should not get here");
    }

    public static void Report(Verdict v)
    {
        TestContext.Out.WriteLine(v);
        foreach (var e in v.Evidence) TestContext.Out.WriteLine($"--- {e.Name}{(e.File is null ? "" : $" ({e.File})")}\n{e.Text}");
        TestContext.Out.WriteLine($"--- console tail\n{v.ConsoleTail}");
    }
}
