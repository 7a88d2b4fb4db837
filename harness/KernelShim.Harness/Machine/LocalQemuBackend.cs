using System.Diagnostics;

namespace KernelShim.Harness.Machine;

/// <summary>QEMU as a plain host process (dying with this one): the baseline the Docker backend is measured against.</summary>
public sealed class LocalQemuBackend : IMachineBackend
{
    public string Name => "local qemu";

    public Task<IMachineProcess> StartAsync(MachineSpec spec, CancellationToken ct = default)
    {
        var argv = QemuCommandLine.Build(spec);
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            // Bound to our life: a kshim killed with SIGKILL must not leave QEMU running (nothing reaps host processes).
            p = ParentBoundProcess.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new MachineStartException($"could not start {argv[0]}: {e.Message}", e);
        }
        return Task.FromResult<IMachineProcess>(new LocalProcess(p));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class LocalProcess : IMachineProcess
    {
        private readonly Process _p;
        private readonly OutputTail _tail = new();

        public LocalProcess(Process p)
        {
            _p = p;
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) _tail.Append(e.Data + "\n"); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) _tail.Append(e.Data + "\n"); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            Exited = WaitAsync();
        }

        private async Task<long> WaitAsync()
        {
            await _p.WaitForExitAsync().ConfigureAwait(false);
            return _p.ExitCode;
        }

        public Task<long> Exited { get; }
        public string OutputTail => _tail.ToString();

        public Task KillAsync()
        {
            try { if (!_p.HasExited) _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            return Exited;
        }

        public async ValueTask DisposeAsync()
        {
            await KillAsync().ConfigureAwait(false);
            _p.Dispose();
        }
    }
}
