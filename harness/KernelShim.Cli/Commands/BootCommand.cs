using System.CommandLine;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.TestGuest;
using KernelShim.Harness.Verdicts;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim boot`: boot a guest in the runner container and attach the terminal to its console.</summary>
public static class BootCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "qemu (a NetBSD kernel) or testguest (the harness's own guest)", DefaultValueFactory = _ => "qemu" };
        target.AcceptOnlyFromAmong("qemu", "testguest");
        var nb = new NetBsdOptions();
        var cmd = new Command("boot", "Boot a guest and attach this terminal to its serial console (Ctrl-] quits; Ctrl-A b sends a BREAK)") { target };
        nb.AddTo(cmd);
        cmd.SetAction((pr, ct) => RunAsync(pr.GetValue(target)!, nb.Read(pr), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(string target, NetBsdOptions.Values nb, CancellationToken ct)
    {
        // kshim-boot-PID: removed at the end; one left by a kshim killed with SIGKILL goes with the next boot.
        foreach (var stale in Directory.GetDirectories(Path.GetTempPath(), "kshim-boot-*"))
            if (int.TryParse(Path.GetFileName(stale)["kshim-boot-".Length..], out int pid) && !Directory.Exists($"/proc/{pid}"))
                try { Directory.Delete(stale, recursive: true); } catch (IOException) { }
        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"kshim-boot-{Environment.ProcessId}")).FullName;
        NetBsdOptions.Prepared? prepared = null;
        DockerRunner? runner = null;
        try
        {
            MachineSpec spec;
            string image;
            if (target == "testguest")
            {
                var accel = AccelSelector.Choose(nb.Accel, HostVirtualization.Probe()); // an impossible --accel before any work
                runner = new DockerRunner(nb.Endpoint is null ? null : DockerEndpoint.Parse(nb.Endpoint));
                image = (await new RunnerImage(runner).EnsureAsync(null, ct)).Tag;
                spec = TestGuestKernel.Spec(TestGuestKernel.Build(), work, accel);
            }
            else
            {
                prepared = await NetBsdOptions.PrepareAsync(nb, ct);
                runner = prepared.Setup.Runner;
                image = prepared.Setup.Image;
                spec = NetBsdMachine.Spec(prepared.Setup.Kernel, prepared.Setup.Guest, work, prepared.Setup.Accel);
            }
            var session = await VmSession.StartAsync(new DockerQemuBackend(runner, image), spec, ct: ct);
            AnsiConsole.MarkupLineInterpolated($"[grey]console attached ({spec.Accel}); Ctrl-]] quits, Ctrl-A b sends a BREAK; log: {KeptLog}[/]");
            BootEnd end;
            try
            {
                end = await BridgeAsync(session, ct);
            }
            finally
            {
                await session.DisposeAsync();
                KeepLog(session.ConsoleLogPath);
            }
            return Report(end);
        }
        finally
        {
            if (prepared is not null) await prepared.DisposeAsync();
            else if (runner is not null) await runner.DisposeAsync();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>How a console session ended: the user quit, or QEMU exited on its own (with its status).</summary>
    private sealed record BootEnd(bool UserQuit, long? QemuExit);

    /// <summary>
    /// Quitting is a success; a VM that powered off (QEMU exit 0) too; a VM that died under us
    /// (QEMU killed, its container killed or removed) is a verdict: LOST CONNECTION, with the status.
    /// </summary>
    private static int Report(BootEnd end)
    {
        Console.WriteLine();
        if (end.UserQuit)
        {
            AnsiConsole.MarkupLine("[grey]console detached; the VM was stopped[/]");
            return ExitCodes.Passed;
        }
        if (end.QemuExit == 0)
        {
            AnsiConsole.MarkupLine("the VM powered off (QEMU exited with 0)");
            return ExitCodes.Passed;
        }
        var why = end.QemuExit switch
        {
            137 => "QEMU was killed (exit 137: SIGKILL, e.g. docker kill or the OOM killer)",
            143 => "QEMU was terminated (exit 143: SIGTERM, e.g. docker stop)",
            { } c => $"QEMU exited with {c}",
            null => "QEMU's status is unknown",
        };
        AnsiConsole.MarkupLineInterpolated($"[red]VERDICT {VerdictKind.LostConnection.ToString().ToUpperInvariant()}[/]: the VM died while the console was attached: {why}; console log: {KeptLog}");
        return ExitCodes.For(VerdictKind.LostConnection);
    }

    /// <summary>The last boot's console log, kept when its temporary work directory goes.</summary>
    private static string KeptLog => Path.Combine(GuestBuild.DefaultCache, "boot-console.log");

    private static void KeepLog(string log)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(KeptLog)!);
            if (File.Exists(log)) File.Copy(log, KeptLog, overwrite: true);
        }
        catch (IOException) { }
    }

    /// <summary>Copy the console to stdout and keystrokes to the console until Ctrl-] or QEMU exits.</summary>
    private static async Task<BootEnd> BridgeAsync(VmSession s, CancellationToken ct)
    {
        int shown = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var output = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !s.Console.Closed)
            {
                var text = s.Console.TextSince(shown);
                shown += text.Length;
                Console.Write(text);
                await Task.Delay(50, stop.Token);
            }
        }, stop.Token);
        // A terminal is put in raw mode (no line editing, no echo, no signals: Ctrl-C goes to the guest,
        // Ctrl-] reaches us as 0x1d) and read as bytes, like a pipe; its settings are restored at the end.
        using var raw = RawTerminal.Enter();
        var stdin = raw.Input;
        var keys = Task.Run(async () =>
        {
            var buf = new byte[256];
            while (!stop.IsCancellationRequested && !s.Process.Exited.IsCompleted)
            {
                int n = await stdin.ReadAsync(buf, stop.Token);
                if (n == 0) return false;
                if (Array.IndexOf(buf, (byte)0x1d, 0, n) >= 0) return true;
                // Ctrl-A b is QEMU's mux escape for a BREAK: it passes through as typed.
                await s.Console.WriteRawAsync(buf.AsMemory(0, n), stop.Token);
            }
            return false;
        }, stop.Token);
        var first = await Task.WhenAny(keys, s.Process.Exited);
        bool quit = first == keys && keys.IsCompletedSuccessfully && keys.Result;
        if (!quit && first == keys && !s.Process.Exited.IsCompleted)
            // stdin ended (a pipe closed) without Ctrl-]: that is a quit too.
            quit = true;
        await Task.Delay(200, CancellationToken.None);
        Console.Write(s.Console.TextSince(shown));
        long? exit = s.Process.Exited.IsCompletedSuccessfully ? s.Process.Exited.Result : null;
        stop.Cancel();
        return new BootEnd(quit, quit ? null : exit);
    }
}
