using System.Diagnostics;
using System.Runtime.InteropServices;
using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Machine;

namespace KernelShim.Harness.TestGuest;

/// <summary>
/// The harness's own multiboot test guest (native/testguest): built on
/// demand, booted with -kernel, told to misbehave through FAULT frames.
/// It tests the harness; it never stands in for NetBSD in a verdict.
/// </summary>
public static class TestGuestKernel
{
    /// <summary>Build build/native/testguest.elf (make is a no-op when it is current) and return its path.</summary>
    public static string Build()
    {
        var root = RepoPaths.Root;
        var psi = new ProcessStartInfo("make", ["-s", "-C", Path.Combine(root, "native", "testguest")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new MachineStartException($"building the test guest failed: {err.Result}");
        return Path.Combine(root, "build", "native", "testguest.elf");
    }

    /// <summary>A machine spec that boots the test guest directly, TCG, in a fresh work directory.</summary>
    public static MachineSpec Spec(string kernel, string workDir, AccelChoice? accel = null) => new()
    {
        WorkDir = workDir,
        Boot = BootMethod.DirectKernel,
        BootImage = kernel,
        Accel = accel ?? new AccelChoice(AccelMode.Tcg, "test guest"),
        MemoryMiB = 64,
    };

    /// <summary>Ask the test guest to misbehave; returns the status errno it answered with.</summary>
    public static async Task<int> FaultAsync(AgentClient client, kshim_fault_mode mode, uint count = 0, CancellationToken ct = default)
    {
        var req = new kshim_fault_req { mode = (uint)mode, count = count };
        var answer = await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_FAULT,
            MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_fault_req>(in req)).ToArray(), TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        return AgentClient.StatusOf(kshim_frame_type.KSHIM_FRAME_FAULT, answer);
    }
}
