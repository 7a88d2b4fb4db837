using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Machine;

/// <summary>
/// QEMU inside the runner container: no network, the work directory and the
/// inputs bind-mounted at their own paths, /dev/kvm only when KVM was chosen,
/// labelled so that a crashed harness's containers are reaped.
/// </summary>
public sealed class DockerQemuBackend(DockerRunner runner, string image) : IMachineBackend
{
    public string Name => $"docker {image}";

    public async Task<IMachineProcess> StartAsync(MachineSpec spec, CancellationToken ct = default)
    {
        var builder = new ContainerSpecBuilder()
            .WithImage(image)
            .WithCommand(QemuCommandLine.Build(spec))
            .WithNamePrefix("kshim-vm")
            .WithKvm(spec.Accel.Mode == AccelMode.Kvm);
        foreach (var dir in spec.MountedDirectories())
            builder.WithBind(dir, dir, readOnly: dir != spec.WorkDir);
        ContainerHandle container;
        try
        {
            container = await runner.CreateAsync(builder.Build(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RunnerException or DockerEngineUnavailableException)
        {
            throw new MachineStartException($"cannot create the QEMU container: {e.Message}", e);
        }
        var proc = new ContainerProcess(container);
        try
        {
            await proc.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await proc.DisposeAsync().ConfigureAwait(false);
            throw new MachineStartException($"cannot start the QEMU container: {e.Message}", e);
        }
        return proc;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class ContainerProcess(ContainerHandle container) : IMachineProcess
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
