using KernelShim.Harness.Agent;
using KernelShim.Harness.Channels;
using KernelShim.Harness.KernelConsole;
using KernelShim.Harness.Machine;

namespace KernelShim.Harness.Sessions;

/// <summary>
/// One running VM with its two serial lines connected: the console (com0,
/// logged to console.log in the host's work directory and watched) and the
/// agent channel (com1), each through <see cref="IMachineProcess.ConnectChannelAsync"/>
/// (the socket itself, or a stream to it when QEMU's files are elsewhere).
/// Disposing stops QEMU.
/// </summary>
public sealed class VmSession : IAsyncDisposable
{
    private VmSession(MachineSpec spec, IMachineProcess process, ConsoleLog console, ConsoleWatcher watcher, AgentClient agent)
    {
        Spec = spec;
        Process = process;
        Console = console;
        Watcher = watcher;
        Agent = agent;
    }

    public MachineSpec Spec { get; }
    public IMachineProcess Process { get; }
    public ConsoleLog Console { get; }
    public ConsoleWatcher Watcher { get; }
    public AgentClient Agent { get; }
    public string ConsoleLogPath => Path.Combine(Spec.WorkDir, "console.log");

    /// <summary>Start QEMU on <paramref name="backend"/> and connect both channels (console first: QEMU waits for it).</summary>
    public static async Task<VmSession> StartAsync(IMachineBackend backend, MachineSpec spec,
        AgentClientOptions? agentOptions = null, TimeSpan? connectDeadline = null, CancellationToken ct = default)
    {
        foreach (var path in new[] { spec.ConsoleSocket, spec.AgentSocket, spec.QmpSocket })
        {
            if (path.Contains(',')) throw new MachineStartException($"QEMU cannot take a path with a comma: {path}");
            File.Delete(path);
        }
        var deadline = connectDeadline ?? TimeSpan.FromSeconds(30);
        var process = await backend.StartAsync(spec, ct).ConfigureAwait(false);
        Stream? console = null;
        try
        {
            console = await process.ConnectChannelAsync(spec.ConsoleSocket, deadline, ct).ConfigureAwait(false);
            var watcher = new ConsoleWatcher();
            var log = new ConsoleLog(console, watcher, Path.Combine(spec.WorkDir, "console.log"));
            Stream agentStream;
            try
            {
                agentStream = await process.ConnectChannelAsync(spec.AgentSocket, deadline, ct).ConfigureAwait(false);
            }
            catch
            {
                await log.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return new VmSession(spec, process, log, watcher, new AgentClient(agentStream, agentOptions));
        }
        catch (ChannelException e)
        {
            if (console is not null) await console.DisposeAsync().ConfigureAwait(false);
            var output = process.OutputTail.Trim();
            await process.DisposeAsync().ConfigureAwait(false);
            throw new MachineStartException(e.Message + (output.Length > 0 ? $"; QEMU said: {output}" : ""), e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.KillAsync().ConfigureAwait(false);
        await Agent.DisposeAsync().ConfigureAwait(false);
        await Console.DisposeAsync().ConfigureAwait(false);
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
