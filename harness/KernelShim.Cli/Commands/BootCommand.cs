using System.CommandLine;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.TestGuest;
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
        var work = Directory.CreateTempSubdirectory("kshim-boot-").FullName;
        NetBsdOptions.Prepared? prepared = null;
        MachineSpec spec;
        DockerRunner runner;
        string image;
        if (target == "testguest")
        {
            runner = new DockerRunner();
            image = (await new RunnerImage(runner).EnsureAsync(null, ct)).Tag;
            spec = TestGuestKernel.Spec(TestGuestKernel.Build(), work, AccelSelector.Choose(nb.Accel, HostVirtualization.Probe()));
        }
        else
        {
            prepared = await NetBsdOptions.PrepareAsync(nb, ct);
            if (prepared.Setup is null) return prepared.ExitCode;
            runner = prepared.Setup.Runner;
            image = prepared.Setup.Image;
            spec = NetBsdMachine.Spec(prepared.Setup.Kernel, prepared.Setup.Guest, work, prepared.Setup.Accel);
        }
        try
        {
            await using var session = await VmSession.StartAsync(new DockerQemuBackend(runner, image), spec, ct: ct);
            AnsiConsole.MarkupLineInterpolated($"[grey]console attached ({spec.Accel}); Ctrl-]] quits, Ctrl-A b sends a BREAK; log: {session.ConsoleLogPath}[/]");
            return await BridgeAsync(session, ct);
        }
        catch (MachineStartException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return ExitCodes.Infrastructure;
        }
        finally
        {
            if (prepared is not null) await prepared.DisposeAsync();
            else await runner.DisposeAsync();
        }
    }

    /// <summary>Copy the console to stdout and keystrokes to the console until Ctrl-] or QEMU exits.</summary>
    private static async Task<int> BridgeAsync(VmSession s, CancellationToken ct)
    {
        int shown = 0;
        var output = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested && !s.Console.Closed)
            {
                var text = s.Console.TextSince(shown);
                shown += text.Length;
                Console.Write(text);
                await Task.Delay(50, ct);
            }
        }, ct);
        var keys = Task.Run(async () =>
        {
            // A terminal gives keys one at a time (no line editing, no echo); a pipe gives bytes.
            var stdin = Console.IsInputRedirected ? Console.OpenStandardInput() : null;
            var buf = new byte[256];
            while (!ct.IsCancellationRequested && !s.Process.Exited.IsCompleted)
            {
                int n;
                if (stdin is not null)
                    n = await stdin.ReadAsync(buf, ct);
                else
                {
                    var key = Console.ReadKey(intercept: true);
                    buf[0] = (byte)(key.Key == ConsoleKey.Enter ? '\r' : key.KeyChar);
                    n = 1;
                }
                if (n == 0 || Array.IndexOf(buf, (byte)0x1d, 0, n) >= 0) return;
                // Ctrl-A b is QEMU's mux escape for a BREAK: it passes through as typed.
                await s.Console.WriteRawAsync(buf.AsMemory(0, n), ct);
            }
        }, ct);
        await Task.WhenAny(keys, s.Process.Exited);
        await Task.Delay(200, CancellationToken.None);
        Console.Write(s.Console.TextSince(shown));
        return ExitCodes.Passed;
    }
}
