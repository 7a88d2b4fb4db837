using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.TestGuest;

/// <summary>
/// The test guest as a matrix row: it exercises the harness's scheduling and
/// tagging with the model inside; its verdicts are about the harness, never NetBSD.
/// </summary>
public sealed class TestGuestUnderTest(string kernel, string label = "testguest") : IGuestUnderTest
{
    public string Label { get; } = label;
    public string Target => "test guest (the model inside, not NetBSD)";
    public DeviceKind Kind => DeviceKind.TestGuest;
    public IReadOnlyList<string> Policies => PolicyNames.ModelPolicies;

    /// <summary>
    /// The test guest's ELF bytes: its VMs start warm too (the Docker test category boots it many
    /// times).  Null when the kernel file is missing (a cell that cannot start says so itself).
    /// </summary>
    public string? WarmKey => _warmKey.Value;

    private readonly Lazy<string?> _warmKey = new(() => File.Exists(kernel)
        ? "testguest " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(kernel)))
        : null);

    public MachineSpec Spec(string workDir, AccelChoice accel) => TestGuestKernel.Spec(kernel, workDir, accel);

    /// <summary>A fault to inject once the agent is READY (a hang mid-suite: HANG_ACCEPTED with a request count).</summary>
    public (kshim_fault_mode Mode, uint Count)? Fault { get; init; }

    public async Task PrepareAsync(AgentClient agent, CancellationToken ct)
    {
        if (Fault is { } f && await TestGuestKernel.FaultAsync(agent, f.Mode, f.Count, ct).ConfigureAwait(false) is var err && err != 0)
            throw new InvalidOperationException($"the test guest refused FAULT {f.Mode}: errno {err}");
    }
}
