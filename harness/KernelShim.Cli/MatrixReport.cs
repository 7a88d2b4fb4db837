using KernelShim.Harness.Verdicts;
using KernelShim.Harness.Scale;
using Spectre.Console;

namespace KernelShim.Cli;

/// <summary>The console side of a matrix run: a line per finished cell, then kernel x scenario with endpoints.</summary>
public static class MatrixReport
{
    private static readonly Lock Gate = new();

    public static void PrintCell(Placement<MatrixJob, MatrixCell> cell)
    {
        var v = cell.Result.VmVerdict;
        int passed = cell.Result.Cases.Count(c => c.Verdict.IsSuccess);
        // A cell whose only cases that did not pass are reproductions that did not reproduce says so.
        var notPassed = cell.Result.Cases.Where(c => !c.Verdict.IsSuccess).ToList();
        var word = v.Kind == VerdictKind.Failed && notPassed.Count > 0 && notPassed.All(c => c.Verdict.Kind == VerdictKind.NotReproduced)
            ? Verdict.Word(VerdictKind.NotReproduced) : Verdict.Word(v.Kind);
        lock (Gate)
            AnsiConsole.MarkupLineInterpolated(
                $"[{(v.IsSuccess ? "green" : "red")}]{word}[/] {cell.Job} on {cell.Endpoint?.Url ?? "no endpoint"} slot {cell.Slot}: {passed}/{cell.Result.Cases.Count} case(s) passed, {cell.Duration.TotalSeconds:0.0} s, {v.Start?.ToString() ?? "not started"}");
    }

    public static void Print(MatrixResult matrix)
    {
        var scenarios = matrix.Cells.Select(c => c.Job.Scenario.Name).Distinct().ToList();
        var table = new Table().Title("kernel x scenario (passed/cases, endpoint)").AddColumn("kernel");
        foreach (var s in scenarios) table.AddColumn(new TableColumn(s));
        foreach (var g in matrix.Cells.GroupBy(c => c.Job.Guest.Label))
        {
            var row = new List<string> { Markup.Escape(g.Key) };
            foreach (var s in scenarios)
            {
                var cells = g.Where(c => c.Job.Scenario.Name == s).ToList();
                row.Add(cells.Count == 0 ? "-" : string.Join("\n", cells.Select(c =>
                {
                    var cases = c.Result.Cases;
                    var ok = cases.All(r => r.Verdict.IsSuccess);
                    return $"[{(ok ? "green" : "red")}]{cases.Count(r => r.Verdict.IsSuccess)}/{cases.Count}[/] {Markup.Escape(EndpointName(c))}";
                })));
            }
            table.AddRow(row.ToArray());
        }
        AnsiConsole.Write(table);
        var failing = matrix.Cases.Where(c => !c.Verdict.IsSuccess).ToList();
        foreach (var c in failing.Take(40))
            AnsiConsole.MarkupLineInterpolated($"[red]{c.Word}[/] {c.Kernel}:{c.Id} on {c.Endpoint ?? "no endpoint"}: {c.Verdict.Summary}");
        if (failing.Count > 40) AnsiConsole.MarkupLineInterpolated($"... and {failing.Count - 40} more (results.json has them all)");
        AnsiConsole.MarkupLineInterpolated(
            $"VMs: {matrix.Cells.Count} cell(s) on {matrix.Cells.Select(c => c.Endpoint).Where(e => e is not null).Distinct().Count()} endpoint(s), at most {matrix.PeakConcurrency} at once; wall {matrix.Wall.TotalSeconds:0.0} s for {matrix.Cells.Sum(c => c.Duration.TotalSeconds):0.0} s of VM time (x{matrix.Speedup:0.00})");
    }

    private static string EndpointName(Placement<MatrixJob, MatrixCell> c) => c.Endpoint?.Url ?? "not run";
}
