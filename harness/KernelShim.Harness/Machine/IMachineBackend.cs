namespace KernelShim.Harness.Machine;

/// <summary>
/// A place where a QEMU machine can run (syzkaller's vm/ split): inside the
/// runner container, or as a bare local process (the baseline for benchmarks).
/// </summary>
public interface IMachineBackend : IAsyncDisposable
{
    /// <summary>For reports, e.g. "docker kshim-runner:3f2a...".</summary>
    string Name { get; }

    /// <summary>Start QEMU for <paramref name="spec"/>; reach its sockets with <see cref="IMachineProcess.ConnectChannelAsync"/>.</summary>
    Task<IMachineProcess> StartAsync(MachineSpec spec, CancellationToken ct = default);
}

/// <summary>A started QEMU.</summary>
public interface IMachineProcess : IAsyncDisposable
{
    /// <summary>
    /// Connects one of QEMU's unix sockets (console, agent): a byte stream both ways, retried until
    /// QEMU has made the socket, the deadline passes (<see cref="Channels.ChannelException"/>) or QEMU
    /// exits.  By default the socket itself, in the work directory this host shares with QEMU; a
    /// backend whose QEMU does not share our file system reaches it another way.
    /// </summary>
    Task<Stream> ConnectChannelAsync(string socketPath, TimeSpan deadline, CancellationToken ct = default) =>
        Channels.UnixChannel.ConnectAsync(socketPath, deadline, Exited, ct);

    /// <summary>
    /// Copies a file QEMU wrote (in its work directory) to <paramref name="hostPath"/>.  By default
    /// QEMU's files are this host's (bind mode, local QEMU); a backend whose QEMU does not share our
    /// file system fetches it another way.
    /// </summary>
    Task CopyOutAsync(string machinePath, string hostPath, CancellationToken ct = default)
    {
        File.Copy(machinePath, hostPath, overwrite: true);
        return Task.CompletedTask;
    }

    /// <summary>Completes with QEMU's exit status when it stops.</summary>
    Task<long> Exited { get; }

    /// <summary>What QEMU itself printed (errors such as a missing kernel), last lines.</summary>
    string OutputTail { get; }

    /// <summary>Stop QEMU now.</summary>
    Task KillAsync();
}

/// <summary>QEMU or its container could not be started or reached: says nothing about the guest.</summary>
public sealed class MachineStartException(string message, Exception? inner = null)
    : Errors.KernelShimException(Errors.ErrorClass.Infrastructure, message, inner);
