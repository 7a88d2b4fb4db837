namespace KernelShim.Harness.Machine;

/// <summary>
/// A place where a QEMU machine can run (syzkaller's vm/ split): inside the
/// runner container, or as a bare local process (the baseline for benchmarks).
/// </summary>
public interface IMachineBackend : IAsyncDisposable
{
    /// <summary>For reports, e.g. "docker kshim-runner:3f2a...".</summary>
    string Name { get; }

    /// <summary>Start QEMU for <paramref name="spec"/>; its sockets appear in the spec's work directory.</summary>
    Task<IMachineProcess> StartAsync(MachineSpec spec, CancellationToken ct = default);
}

/// <summary>A started QEMU.</summary>
public interface IMachineProcess : IAsyncDisposable
{
    /// <summary>Completes with QEMU's exit status when it stops.</summary>
    Task<long> Exited { get; }

    /// <summary>What QEMU itself printed (errors such as a missing kernel), last lines.</summary>
    string OutputTail { get; }

    /// <summary>Stop QEMU now.</summary>
    Task KillAsync();
}

/// <summary>QEMU or its container could not be started or reached: says nothing about the guest.</summary>
public sealed class MachineStartException(string message, Exception? inner = null) : Exception(message, inner);
