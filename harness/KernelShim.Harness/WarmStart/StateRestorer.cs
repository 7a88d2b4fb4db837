using System.Diagnostics;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Sessions;

namespace KernelShim.Harness.WarmStart;

/// <summary>
/// Brings a VM started with <see cref="MachineSpec.IncomingState"/> to READY: tells QEMU through QMP
/// what to load (with its RAM mapped copy-on-write from the saved image when there is one), waits
/// until QEMU has loaded the state (it stays paused, as it was saved), lets it run, and asks the
/// agent for a fresh READY with HELLO.  The restored clone has not restarted, so it must answer
/// with the saved READY's boot id (and agent and OS); anything else, a QEMU that could not load
/// the state, or no answer, is a failed restore.
/// </summary>
public static class StateRestorer
{
    /// <param name="progress">Told when QEMU has loaded the state (seconds since the restore began).</param>
    public static async Task<ReadyInfo> RestoreAsync(VmSession s, SavedState state, TimeSpan deadline, Action<string>? progress = null,
        CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan Left() => deadline - clock.Elapsed > TimeSpan.FromSeconds(1) ? deadline - clock.Elapsed : TimeSpan.FromSeconds(1);
        try
        {
            await using (var qmp = await QmpClient.OpenAsync(
                               await s.Process.ConnectChannelAsync(s.Spec.QmpSocket, Left(), ct).ConfigureAwait(false), Left(), ct).ConfigureAwait(false))
            {
                if (state.Meta.HasRamFile) await StateSaver.SetIgnoreSharedAsync(qmp, ct).ConfigureAwait(false);
                await qmp.ExecuteAsync("migrate-incoming", new Dictionary<string, object> { ["uri"] = QemuCommandLine.IncomingUri(state.StatePath) },
                    Left(), ct).ConfigureAwait(false);
                string status;
                while ((status = await qmp.StatusAsync(Left(), ct).ConfigureAwait(false)) == "inmigrate")
                {
                    if (clock.Elapsed > deadline) throw new WarmStartException($"QEMU was still loading the saved state after {deadline.TotalSeconds:0} s");
                    await Task.Delay(20, ct).ConfigureAwait(false);
                }
                progress?.Invoke($"saved state loaded {clock.Elapsed.TotalSeconds:0.00} s after the channels connected");
                if (status == "paused") await qmp.ExecuteAsync("cont", null, Left(), ct).ConfigureAwait(false);
                else if (status != "running") throw new WarmStartException($"QEMU is {status} after loading the saved state");
            }
            var ready = await s.Agent.HelloAsync(Left(), ct).ConfigureAwait(false);
            var saved = state.Meta;
            if (ready.BootId != saved.BootId || ready.OsVersion != saved.OsVersion || ready.AgentVersion != saved.AgentVersion)
                throw new WarmStartException($"the restored guest answered HELLO as boot {ready.BootId:x16} ({ready.OsVersion}, agent {ready.AgentVersion}), " +
                                             $"but the state was saved at boot {saved.BootId:x16} ({saved.OsVersion}, agent {saved.AgentVersion})");
            return ready;
        }
        catch (Exception e) when (e is QmpException or Channels.ChannelException or AgentException or IOException)
        {
            await Task.WhenAny(s.Process.Exited, Task.Delay(500, CancellationToken.None)).ConfigureAwait(false);
            var qemu = s.Process.Exited.IsCompleted ? s.Process.OutputTail.Trim() : "";
            throw new WarmStartException(e.Message + (qemu.Length > 0 ? $"; QEMU said: {Last(qemu)}" : ""), e);
        }
    }

    private static string Last(string output) =>
        string.Join(" / ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("fw_cfg", StringComparison.Ordinal)).TakeLast(3));
}
