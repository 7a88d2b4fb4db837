using System.CommandLine;
using Spectre.Console;
using KernelShim.Cli.Commands;
using KernelShim.Harness.Errors;
using KernelShim.Harness.Runner;

namespace KernelShim.Cli;

/// <summary>
/// kshim's entry point.  Exit codes, for CI (<see cref="ExitCodes"/>): 0 passed, 1 a verdict other
/// than passed (failed, panic, deadlock, ...), 2 usage or input error, 3 infrastructure error
/// (Docker, QEMU, image), 130 interrupted.  Every error is one line on stderr; KSHIM_TRACE=1 adds the stack.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and CI: plain text, wide enough for the tables.
            AnsiConsole.Profile.Width = 132;
            AnsiConsole.Profile.Capabilities.Ansi = false;
            AnsiConsole.Profile.Capabilities.ColorSystem = ColorSystem.NoColors;
        }
        var root = new RootCommand("KernelShim: test NetBSD's UVM map-entry merging and splitting (PR 24039)")
        {
            RunCommand.Create(),
            DoctorCommand.Create(),
            ImageCommand.Create(),
            BenchCommand.Create(),
            ReproduceCommand.Create(),
            ValidateCommand.Create(),
            BootCommand.Create(),
            FetchCommand.Create(),
        };
        var parsed = root.Parse(args);
        try
        {
            if (parsed.Errors.Count == 0 && parsed.Action is not System.CommandLine.Help.HelpAction
                && parsed.CommandResult.Command is not RootCommand && parsed.CommandResult.Command.Name != "doctor")
                SweepOrphans();
            int rc = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            // System.CommandLine reports its own parse errors with 1; usage errors are 2 here.
            return parsed.Errors.Count > 0 ? ExitCodes.UsageOrInput : rc;
        }
        catch (Exception e)
        {
            Console.Out.Flush();
            Console.Error.WriteLine(ErrorLine(ExitCodes.Innermost(e)));
            if (Environment.GetEnvironmentVariable("KSHIM_TRACE") == "1") Console.Error.WriteLine(e);
            return ExitCodes.For(e);
        }
    }

    /// <summary>
    /// Every command first removes the VM containers of kshim processes that died (kill -9) on the
    /// engine $DOCKER_HOST names; doctor does it itself and shows them.  Engines of --endpoint are
    /// swept by their runner before its first container.
    /// </summary>
    private static void SweepOrphans()
    {
        DockerEndpoint endpoint;
        try
        {
            endpoint = DockerEndpoint.FromEnvironment();
        }
        catch (DockerEndpointFormatException)
        {
            return; // the command that needs the engine reports it
        }
        var reaped = OrphanSweep.RunAsync(endpoint, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        foreach (var r in reaped)
            AnsiConsole.MarkupLineInterpolated($"[grey]orphan: {r}[/]");
    }

    /// <summary>The one line an error gets: its class, then its message (ours are written for the user).</summary>
    public static string ErrorLine(Exception e) => e switch
    {
        KernelShimException { Class: ErrorClass.Input } => $"kshim: input error: {e.Message}",
        KernelShimException => $"kshim: infrastructure error: {e.Message}",
        OperationCanceledException => "kshim: interrupted",
        _ => $"kshim: internal error (a bug in KernelShim; KSHIM_TRACE=1 shows where): {e.GetType().Name}: {OneLine(e.Message)}",
    };

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
