using System.CommandLine;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Reports;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Validation;
using KernelShim.Harness.Verdicts;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>
/// `kshim validate`: the suite on a baseline and a patched kernel, each with its own sys tree, repeated;
/// every case SAME, CHANGED, FIXED or REGRESSION, and the suite the worst of them.
/// </summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var baseline = new Option<string>("--baseline") { Description = "the unpatched kernel", Required = true };
        var patched = new Option<string>("--patched") { Description = "the kernel with your patch", Required = true };
        var sys = new Option<string?>("--sys") { Description = "the sys tree of a kernel that has none of its own below (default: $KSHIM_SYS)" };
        var baselineSys = new Option<string?>("--baseline-sys") { Description = "the sys tree the baseline kernel was built from (default: --sys)" };
        var patchedSys = new Option<string?>("--patched-sys") { Description = "the sys tree the patched kernel was built from, with your patch's headers (default: --sys)" };
        var repeat = new Option<int>("--repeat") { Description = $"suite runs per kernel, each scenario in a fresh VM; time is compared only with {TimeNoise.MinRepeats} or more (noise is their spread)", DefaultValueFactory = _ => 3 };
        var filter = new Option<string?>("--filter") { Description = "only cases whose scenario/case id contains this text, or any of several separated by commas (pr24039/,merge/)" };
        var report = new Option<string?>("--report") { Description = "directory for junit.xml, results.ktap, results.json, report.html (default: build/reports/validate)" };
        var accel = new Option<AccelMode>("--accel") { DefaultValueFactory = _ => AccelMode.Auto };
        var cold = new Option<bool>("--cold") { Description = "boot every VM cold (default: each VM starts from a state saved at READY by the first cold boot of its kernel, and falls back to a cold boot, saying why, when that state cannot be used)" };
        var where = new EndpointOptions(many: true);
        var cmd = new Command("validate", "A/B: run the suite on a baseline and a patched kernel; per case SAME, CHANGED, FIXED or REGRESSION; exit 1 on a regression")
            { baseline, patched, sys, baselineSys, patchedSys, repeat, filter, report, accel, cold };
        where.AddTo(cmd);
        // An option's own validator: a command validator reads 0 for an option left at its default.
        repeat.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--repeat must be at least 1");
        });
        cmd.SetAction((pr, ct) => RunAsync(
            new NetBsdOptions.MatrixValues(
                [("baseline", pr.GetValue(baseline), pr.GetValue(baselineSys) ?? pr.GetValue(sys)),
                 ("patched", pr.GetValue(patched), pr.GetValue(patchedSys) ?? pr.GetValue(sys))],
                pr.GetValue(accel), null, where.Endpoints(pr), where.Jobs(pr), !pr.GetValue(cold)),
            pr.GetValue(repeat), pr.GetValue(filter), pr.GetValue(report), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(NetBsdOptions.MatrixValues kernels, int repeat, string? filter, string? reportDir, CancellationToken ct)
    {
        var suite = SuiteSelection.Load(null, filter);
        foreach (var (label, kernel, sys) in kernels.Kernels)
            AnsiConsole.MarkupLineInterpolated($"[bold]{label}[/]: {kernel ?? "$KSHIM_KERNEL"} with sys tree {sys ?? "$KSHIM_SYS"}");
        await using var prepared = await NetBsdOptions.PrepareMatrixAsync(kernels, ct);
        var matrix = await prepared.Setup.Runner(filter, l => AnsiConsole.MarkupLineInterpolated($"[grey]{l}[/]"), MatrixReport.PrintCell,
            new RunDeadlines { Wall = TimeSpan.FromMinutes(60) }, warmStarts: kernels.Warm).RunAsync(prepared.Guests, suite, repeat, ct);
        MatrixReport.Print(matrix);

        // A VM that panicked or hung is evidence about its kernel (its cases get that verdict in the comparison);
        // one that could not run says nothing about the patch: then there is no verdict.
        foreach (var cell in matrix.Cells.Where(c => !c.Result.VmVerdict.IsSuccess && c.Result.VmVerdict.Kind != VerdictKind.Failed))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{cell.Job} on {cell.Endpoint?.Url ?? "no endpoint"}: {cell.Result.VmVerdict}[/]");
            VerdictReport.Print(cell.Result.VmVerdict, cell.Result.WorkDir ?? "(none)");
        }
        if (matrix.Cells.Any(c => c.Result.VmVerdict.Kind == VerdictKind.InfrastructureError))
        {
            Console.WriteLine("VERDICT NONE: some runs could not be made (infrastructure error above)");
            return ExitCodes.Infrastructure;
        }

        var cmp = SuiteComparison.Compare(matrix.RepeatsOf(prepared.Guests[0]), matrix.RepeatsOf(prepared.Guests[1]));
        var table = new Table().Title("patched against baseline").AddColumns("case", "verdict", "baseline", "patched", "detail");
        foreach (var c in cmp.Cases.Where(c => c.Verdict != PatchVerdict.Same || c.Details.Count > 0))
            table.AddRow(Markup.Escape(c.Id), $"[{Color(c.Verdict)}]{c.Word}[/]", Markup.Escape(c.Baseline), Markup.Escape(c.Patched), Markup.Escape(c.Detail));
        if (table.Rows.Count > 0) AnsiConsole.Write(table);
        // One plain line per case: what scripts and the NetBSD tests read.
        foreach (var c in cmp.Cases) Console.WriteLine($"CASE {c}");
        AnsiConsole.MarkupLineInterpolated($"{cmp.Cases.Count} cases x {repeat} run(s) per kernel, each scenario in a fresh VM, up to {matrix.PeakConcurrency} VMs at once");
        Console.WriteLine($"timing: {cmp.TimingNote}");
        var target = string.Join(" against ", prepared.Guests.Select(g => $"{g.Label} ({g.Target})").Reverse());
        var dir = reportDir ?? Path.Combine(KernelShim.Harness.RepoPaths.Root, "build", "reports", "validate");
        var files = ValidationReport.Write(dir, cmp, $"{prepared.Guests[0].Label} ({prepared.Guests[0].Target})", $"{prepared.Guests[1].Label} ({prepared.Guests[1].Target})");
        AnsiConsole.MarkupLineInterpolated($"reports: {string.Join(", ", files.Select(Path.GetFileName))} in {dir} ({target})");
        Console.WriteLine($"VERDICT {ValidationReport.Headline(cmp)}");
        return cmp.Regressed ? ExitCodes.VerdictNotPassed : ExitCodes.Passed;
    }

    private static string Color(PatchVerdict v) => v switch
    {
        PatchVerdict.Regression => "red",
        PatchVerdict.Fixed => "green",
        PatchVerdict.Changed => "yellow",
        _ => "grey",
    };
}
