using System.CommandLine;
using Spectre.Console;
using KernelShim.Cli.Commands;

namespace KernelShim.Cli;

/// <summary>
/// kshim's entry point.  Exit codes, for CI: 0 passed, 1 a verdict other
/// than passed (failed, panic, deadlock, ...), 2 usage or input error,
/// 3 infrastructure error (Docker, QEMU, image).
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
        int rc = parsed.Invoke();
        // System.CommandLine reports its own parse errors with 1; usage errors are 2 here.
        return parsed.Errors.Count > 0 ? ExitCodes.UsageOrInput : rc;
    }
}
