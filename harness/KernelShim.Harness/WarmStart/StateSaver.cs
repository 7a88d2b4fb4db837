using System.Diagnostics;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Sessions;

namespace KernelShim.Harness.WarmStart;

/// <summary>
/// Saves a VM that has just sent READY: stopped through QMP, written with QEMU's migration to a
/// file in its work directory (<c>migrate "exec:cat > file"</c>, inside the container if that is
/// where QEMU is), fetched to the store, then the VM goes on as if nothing happened.  The guest
/// has executed no request yet (so its replay cache is empty) and has written nothing to its
/// disks (the micro root is mounted read-only, /dev is a tmpfs in RAM), so a restored clone
/// together with the unchanged disk images is exactly this VM at READY.
/// </summary>
public static class StateSaver
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(20);

    /// <summary>How long writing the state may take (512 MiB of guest RAM, a busy machine).</summary>
    public static TimeSpan SaveDeadline { get; set; } = TimeSpan.FromMinutes(3);

    public static async Task<SavedState> SaveAsync(VmSession s, ReadyInfo ready, SaveLease lease, double coldReadySeconds,
        string keyedOn, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var machinePath = Path.Combine(s.Spec.WorkDir, "saved-state.part");
        QmpClient qmp;
        try
        {
            qmp = await QmpClient.OpenAsync(await s.Process.ConnectChannelAsync(s.Spec.QmpSocket, CommandDeadline, ct).ConfigureAwait(false),
                CommandDeadline, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is QmpException or Channels.ChannelException or IOException)
        {
            throw new WarmStartException($"cannot reach QEMU's monitor to save the VM: {e.Message}", e);
        }
        await using (qmp)
        {
            try
            {
                await qmp.ExecuteAsync("stop", null, CommandDeadline, ct).ConfigureAwait(false);
                // The default cap (128 MiB/s) would only slow a stopped VM's one pass.
                await qmp.ExecuteAsync("migrate-set-parameters", new Dictionary<string, object> { ["max-bandwidth"] = 1L << 40 },
                    CommandDeadline, ct).ConfigureAwait(false);
                bool ramFile = s.Spec is { RamFile: not null, RamShared: true };
                // RAM that is a shared file is saved by copying the file: the stream then holds the devices only.
                if (ramFile) await SetIgnoreSharedAsync(qmp, ct).ConfigureAwait(false);
                await qmp.ExecuteAsync("migrate", new Dictionary<string, object> { ["uri"] = $"exec:cat > '{machinePath}'" },
                    CommandDeadline, ct).ConfigureAwait(false);
                await WaitMigratedAsync(qmp, ct).ConfigureAwait(false);
                await s.Process.CopyOutAsync(machinePath, lease.StagingPath, ct).ConfigureAwait(false);
                if (ramFile) SparseFile.Copy(s.Spec.RamFile!, lease.StagingRamPath);
                return lease.Commit(lease.StagingPath, ramFile ? lease.StagingRamPath : null, new SavedStateMeta
                {
                    BootId = ready.BootId,
                    ProtocolVersion = ready.ProtocolVersion,
                    AgentVersion = ready.AgentVersion,
                    OsVersion = ready.OsVersion,
                    ModuleError = ready.ModuleError,
                    ColdReadySeconds = coldReadySeconds,
                    SaveSeconds = clock.Elapsed.TotalSeconds,
                    SavedAt = DateTimeOffset.UtcNow,
                    KeyedOn = keyedOn,
                });
            }
            catch (Exception e) when (e is QmpException or IOException or UnauthorizedAccessException or Runner.RunnerException
                                          or Docker.DotNet.DockerApiException)
            {
                throw new WarmStartException($"saving the VM failed: {e.Message}", e);
            }
            finally
            {
                // Stopped, or "postmigrate" after a completed migration: either way it runs on.
                try { await qmp.ExecuteAsync("cont", null, CommandDeadline, CancellationToken.None).ConfigureAwait(false); }
                catch (QmpException) { /* QEMU is gone: the run's own checks say so */ }
                try { File.Delete(machinePath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                try { File.Delete(lease.StagingPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                try { File.Delete(lease.StagingRamPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>x-ignore-shared: leave RAM backed by a shared file out of the stream (both ends must say so).</summary>
    internal static Task SetIgnoreSharedAsync(QmpClient qmp, CancellationToken ct) =>
        qmp.ExecuteAsync("migrate-set-capabilities", new Dictionary<string, object>
        {
            ["capabilities"] = new[] { new Dictionary<string, object> { ["capability"] = "x-ignore-shared", ["state"] = true } },
        }, CommandDeadline, ct);

    private static async Task WaitMigratedAsync(QmpClient qmp, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var info = await qmp.ExecuteAsync("query-migrate", null, CommandDeadline, ct).ConfigureAwait(false);
            var status = info?["status"]?.GetValue<string>();
            if (status == "completed") return;
            if (status is "failed" or "cancelled")
                throw new QmpException($"migration {status}: {info?["error-desc"]?.GetValue<string>() ?? "QEMU gave no reason"}");
            if (clock.Elapsed > SaveDeadline)
                throw new QmpException($"migration still {status} after {SaveDeadline.TotalSeconds:0} s");
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }
}
