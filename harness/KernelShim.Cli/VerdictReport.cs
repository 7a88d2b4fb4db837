using KernelShim.Harness.Verdicts;
using Spectre.Console;

namespace KernelShim.Cli;

/// <summary>Prints one VM run's verdict with its evidence and where the files are.</summary>
public static class VerdictReport
{
    public static void Print(Verdict v, string workDir)
    {
        var color = v.IsSuccess ? "green" : "red";
        AnsiConsole.MarkupLineInterpolated($"[{color}]VERDICT {Verdict.Word(v.Kind)}[/]: {v.Summary} ({v.Duration.TotalSeconds:0.0} s)");
        foreach (var e in v.Evidence)
        {
            if (e.File is not null) AnsiConsole.MarkupLineInterpolated($"evidence {e.Name}: {e.File}");
            else
            {
                AnsiConsole.MarkupLineInterpolated($"--- evidence: {e.Name}");
                Console.WriteLine(e.Text);
            }
        }
        if (!v.IsSuccess && v.ConsoleTail.Length > 0)
        {
            AnsiConsole.MarkupLine("--- console tail");
            Console.WriteLine(v.ConsoleTail);
        }
        AnsiConsole.MarkupLineInterpolated($"[grey]work directory: {workDir}[/]");
    }
}
