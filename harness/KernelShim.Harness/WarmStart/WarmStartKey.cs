using System.Security.Cryptography;
using System.Text;
using KernelShim.Harness.Machine;

namespace KernelShim.Harness.WarmStart;

/// <summary>
/// The key of a saved VM state: everything that decides what a restored guest is.  The guest
/// build's key (kernel bytes, sys tree, our agent, module and image sources: <see cref="NetBsd.GuestBuild.Key"/>),
/// QEMU's whole command line with the work directory replaced (machine, memory, CPUs, devices,
/// accelerator, input paths) and the runner image (QEMU's binary and firmware).  Any change
/// gives another key, so a stale state is never loaded; it is made afresh by the next cold boot.
/// </summary>
public static class WarmStartKey
{
    /// <summary>Bumped when what a state holds or how it is checked changes.</summary>
    public const string Format = "kshim-warm-2";

    private const string NeutralWorkDir = "/kshim-work";

    /// <param name="ramFile">The state's layout: RAM as a file of its own, or all in the migration stream.</param>
    public static string Compute(string guestKey, MachineSpec spec, string runnerImage, bool ramFile = false) =>
        Hash(Describe(guestKey, spec, runnerImage, ramFile));

    /// <summary>The text hashed into the key, one input a line.</summary>
    public static string Describe(string guestKey, MachineSpec spec, string runnerImage, bool ramFile = false)
    {
        var argv = QemuCommandLine.Build(spec with { WorkDir = NeutralWorkDir, IncomingState = null, RamFile = null, RamShared = false });
        return $"{Format} {(ramFile ? "ram-file" : "stream")}\nguest {guestKey}\nimage {runnerImage}\nqemu {string.Join(' ', argv)}\n";
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..24];
}
