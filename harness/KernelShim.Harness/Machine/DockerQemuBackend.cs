using KernelShim.Harness.Channels;
using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Machine;

/// <summary>
/// QEMU inside the runner container: no network, /dev/kvm only when KVM was chosen, labelled so
/// that a crashed harness's containers are reaped.  How files and channels cross over follows the
/// endpoint's <see cref="TransferMode"/>: bind mounts of the work directory and the inputs at their
/// own paths (an engine on this machine), or, for an engine that does not share our file system,
/// the inputs uploaded into the created container at their own paths, the work directory kept in
/// the container, and the console and agent reached through docker exec (<see cref="ExecChannel"/>).
/// Either way the host's work directory gets the console log.
/// </summary>
public sealed class DockerQemuBackend(DockerRunner runner, string image) : IMachineBackend
{
    public TransferMode Transfer => runner.Endpoint.Transfer;

    /// <summary>E.g. "docker kshim-runner:66660e45... at tcp://127.0.0.1:23752, copy".</summary>
    public string Name => $"docker {image} at {runner.Endpoint.Address}, {Transfer.ToString().ToLowerInvariant()}";

    public async Task<IMachineProcess> StartAsync(MachineSpec spec, CancellationToken ct = default)
    {
        var builder = new ContainerSpecBuilder()
            .WithImage(image)
            .WithCommand(QemuCommandLine.Build(spec))
            .WithNamePrefix("kshim-vm")
            .WithKvm(spec.Accel.Mode == AccelMode.Kvm);
        if (Transfer == TransferMode.Bind)
        {
            var writable = spec.WritableDirectories().ToHashSet(StringComparer.Ordinal);
            foreach (var dir in spec.MountedDirectories().Concat(writable).Distinct(StringComparer.Ordinal))
                builder.WithBind(dir, dir, readOnly: !writable.Contains(dir));
        }
        ContainerHandle container;
        try
        {
            container = await runner.CreateAsync(builder.Build(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RunnerException or DockerEngineUnavailableException)
        {
            throw new MachineStartException($"cannot create the QEMU container: {e.Message}", e);
        }
        var proc = new ContainerProcess(container, Transfer);
        try
        {
            if (Transfer == TransferMode.Copy)
                await CopyInputsAsync(container, spec, ct).ConfigureAwait(false);
            await proc.StartAsync(ct).ConfigureAwait(false);
        }
        catch (MachineStartException)
        {
            await proc.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await proc.DisposeAsync().ConfigureAwait(false);
            throw new MachineStartException($"cannot start the QEMU container: {e.Message}", e);
        }
        return proc;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The inputs at their own paths and an empty work directory, before QEMU starts.</summary>
    private static async Task CopyInputsAsync(ContainerHandle container, MachineSpec spec, CancellationToken ct)
    {
        try
        {
            await container.CopyInAsync([.. spec.InputFiles()], [spec.WorkDir], ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new MachineStartException($"cannot copy the VM's inputs into {container.Name}: {e.Message}", e);
        }
    }

    private sealed class ContainerProcess(ContainerHandle container, TransferMode transfer) : IMachineProcess
    {
        private readonly OutputTail _tail = new();
        private ContainerStreams? _streams;
        private Task? _pump;

        public Task<long> Exited { get; private set; } = Task.FromResult(-1L);
        public string OutputTail => _tail.ToString();

        public async Task StartAsync(CancellationToken ct)
        {
            _streams = await container.AttachAsync(cancellationToken: ct).ConfigureAwait(false);
            await container.StartAsync(ct).ConfigureAwait(false);
            _pump = Task.Run(async () =>
            {
                try
                {
                    var output = await _streams.ReadToEndAsync(CancellationToken.None).ConfigureAwait(false);
                    _tail.Append(output.Stdout + output.Stderr);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { }
            });
            Exited = container.WaitAsync(CancellationToken.None);
        }

        public Task<Stream> ConnectChannelAsync(string socketPath, TimeSpan deadline, CancellationToken ct = default) =>
            transfer == TransferMode.Copy
                ? ExecChannel.ConnectAsync(container, socketPath, deadline, Exited, ct)
                : UnixChannel.ConnectAsync(socketPath, deadline, Exited, ct);

        public Task CopyOutAsync(string machinePath, string hostPath, CancellationToken ct = default)
        {
            if (transfer == TransferMode.Copy) return container.CopyOutAsync(machinePath, hostPath, ct);
            File.Copy(machinePath, hostPath, overwrite: true);
            return Task.CompletedTask;
        }

        public async Task KillAsync()
        {
            try { await container.KillAsync().ConfigureAwait(false); } catch (Exception) { /* already gone */ }
        }

        public async ValueTask DisposeAsync()
        {
            await KillAsync().ConfigureAwait(false);
            _streams?.Dispose();
            if (_pump is not null) await Task.WhenAny(_pump, Task.Delay(1000)).ConfigureAwait(false);
            await container.DisposeAsync().ConfigureAwait(false);
        }
    }
}
