using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;

namespace KernelShim.Harness.Scale;

/// <summary>
/// One row of a matrix: a guest that can be booted many times, on any
/// endpoint (a NetBSD kernel with its guest side, or the harness's test guest).
/// </summary>
public interface IGuestUnderTest
{
    /// <summary>Short and unique within a matrix: "kernel-nomerge/netbsd".</summary>
    string Label { get; }

    /// <summary>What a verdict names as its target: "NetBSD 7.99.4".</summary>
    string Target { get; }

    /// <summary>Where the ioctls are answered (the kernel, or the test guest's model).</summary>
    DeviceKind Kind { get; }

    /// <summary>The policies this guest implements (scenarios are run under those they share).</summary>
    IReadOnlyList<string> Policies { get; }

    /// <summary>
    /// What identifies the guest's software for warm starts (the guest build's key), or null when its
    /// VMs must always boot cold.  Hashed with QEMU's command line and the runner image into
    /// the saved state's key (<see cref="WarmStart.WarmStartKey"/>).
    /// </summary>
    string? WarmKey { get; }

    /// <summary>A machine spec that boots this guest with its work directory at <paramref name="workDir"/>.</summary>
    MachineSpec Spec(string workDir, AccelChoice accel);

    /// <summary>Called once the agent is READY, before the cell's cases (the test guest's fault injection).</summary>
    Task PrepareAsync(AgentClient agent, CancellationToken ct) => Task.CompletedTask;
}
