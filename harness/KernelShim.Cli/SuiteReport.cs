using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Verdicts;
using Spectre.Console;

namespace KernelShim.Cli;

/// <summary>The console side of a suite run: the per-policy table and the plain summary line.</summary>
public static class SuiteReport
{
    public static void PrintPolicyTable(IReadOnlyList<CaseResult> results, string where)
    {
        var table = new Table().Title($"Scenario suite on the {where}, per policy");
        foreach (var col in new[] { "policy", "cases", "passed", "entries", "peak", "merges", "clips", "allocs", "locked allocs", "frees", "deadlock" })
            table.AddColumn(new TableColumn(col).RightAligned());
        foreach (var g in results.GroupBy(r => r.Policy))
        {
            var deadlock = g.Select(r => r.Metrics.Deadlock).FirstOrDefault(d => d is not null);
            table.AddRow(
                g.Key,
                g.Count().ToString(),
                g.Count(r => r.Verdict.IsSuccess).ToString(),
                g.Sum(r => r.Metrics.Entries).ToString(),
                g.Max(r => r.Metrics.PeakEntries).ToString(),
                g.Sum(r => r.Metrics.Merges).ToString(),
                g.Sum(r => r.Metrics.Clips).ToString(),
                g.Sum(r => r.Metrics.Allocs).ToString(),
                g.Sum(r => r.Metrics.AllocsLocked).ToString(),
                g.Sum(r => r.Metrics.Frees).ToString(),
                deadlock switch { true => "yes", false => "no", null => "-" });
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]entries: live entries left at the end of each case, summed; peak: the largest map seen; " +
                               "allocs: map-entry allocations (the cycle's own map not counted); locked allocs: those made while the map was write-locked " +
                               "(the cycle's included); frees: map entries freed; " +
                               "deadlock: the PR 24039 cycle formed.[/]");
    }

    /// <summary>
    /// The run's verdict line: PASSED (saying how many bugs were reproduced), NOT REPRODUCED when the only
    /// cases that did not pass are reproductions whose bug did not form, else FAILED.
    /// </summary>
    public static string VerdictLine(IReadOnlyList<CaseResult> results, string where)
    {
        var notPassed = results.Where(r => !r.Verdict.IsSuccess).ToList();
        var notReproduced = notPassed.Where(r => r.Verdict.Kind == VerdictKind.NotReproduced).ToList();
        int reproduced = results.Count(r => r.Reproduced);
        if (results.Count > 0 && notPassed.Count == 0)
            return $"VERDICT PASSED: {results.Count} case(s) passed {where}" + (reproduced > 0 ? $", {reproduced} of them REPRODUCED a bug ({string.Join(", ", results.Where(r => r.Reproduced).Select(r => r.Bug).Distinct())})" : "");
        if (notReproduced.Count > 0 && notReproduced.Count == notPassed.Count)
            return $"VERDICT NOT REPRODUCED: {string.Join(", ", notReproduced.Select(r => r.Bug).Distinct())} did not form in {string.Join(", ", notReproduced.Select(r => r.Kernel is null ? r.Id : $"{r.Kernel}:{r.Id}"))}; the other {results.Count - notPassed.Count} case(s) passed {where}";
        return $"VERDICT FAILED: {notPassed.Count} of {results.Count} case(s) did not pass" + (notReproduced.Count > 0 ? $" ({notReproduced.Count} of them NOT REPRODUCED)" : "");
    }

    /// <summary>Prints `N passed, N failed` and returns the exit code.</summary>
    public static int PrintSummary(IReadOnlyList<CaseResult> results)
    {
        int passed = results.Count(r => r.Verdict.Kind == VerdictKind.Passed);
        int failed = results.Count - passed;
        int notReproduced = results.Count(r => r.Verdict.Kind == VerdictKind.NotReproduced);
        Console.WriteLine($"{passed} passed, {failed} failed" + (notReproduced > 0 ? $" ({notReproduced} of them NOT REPRODUCED: the bug did not form)" : ""));
        return results.Count == 0 ? ExitCodes.UsageOrInput : failed == 0 ? ExitCodes.Passed : ExitCodes.VerdictNotPassed;
    }
}
