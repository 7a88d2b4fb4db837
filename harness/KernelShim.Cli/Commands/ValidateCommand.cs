using System.CommandLine;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim validate`: the suite on a baseline and a patched kernel, repeated, and what changed.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var baseline = new Option<string>("--baseline") { Description = "the unpatched kernel", Required = true };
        var patched = new Option<string>("--patched") { Description = "the kernel with your patch", Required = true };
        var sys = new Option<string?>("--sys") { Description = "the sys tree both kernels match (default: $KSHIM_SYS)" };
        var repeat = new Option<int>("--repeat") { Description = "suite runs per kernel, each scenario in a fresh VM (noise is their spread)", DefaultValueFactory = _ => 3 };
        var filter = new Option<string?>("--filter") { Description = "only cases whose scenario/case id contains this text" };
        var accel = new Option<AccelMode>("--accel") { DefaultValueFactory = _ => AccelMode.Auto };
        var cold = new Option<bool>("--cold") { Description = "boot every VM cold (default: start from a VM state saved at READY by the first cold boot)" };
        var where = new EndpointOptions(many: true);
        var cmd = new Command("validate", "A/B: run the suite on a baseline and a patched kernel and report regressions")
            { baseline, patched, sys, repeat, filter, accel, cold };
        where.AddTo(cmd);
        // An option's own validator: a command validator reads 0 for an option left at its default.
        repeat.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--repeat must be at least 1");
        });
        cmd.SetAction((pr, ct) => RunAsync(
            new NetBsdOptions.MatrixValues(
                [("baseline", pr.GetValue(baseline), pr.GetValue(sys)), ("patched", pr.GetValue(patched), pr.GetValue(sys))],
                pr.GetValue(accel), null, where.Endpoints(pr), where.Jobs(pr), pr.GetValue(cold)),
            pr.GetValue(repeat), pr.GetValue(filter), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(NetBsdOptions.MatrixValues kernels, int repeat, string? filter, CancellationToken ct)
    {
        var suite = ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory);
        foreach (var (label, kernel, _) in kernels.Kernels) AnsiConsole.MarkupLineInterpolated($"[bold]{label}[/]: {kernel}");
        await using var prepared = await NetBsdOptions.PrepareMatrixAsync(kernels, ct);
        if (prepared.Setup is null) return prepared.ExitCode;
        var matrix = await prepared.Setup.Runner(filter, l => AnsiConsole.MarkupLineInterpolated($"[grey]{l}[/]"), MatrixReport.PrintCell,
            new RunDeadlines { Wall = TimeSpan.FromMinutes(60) }, warmStarts: !kernels.Cold).RunAsync(prepared.Guests, suite, repeat, ct);
        MatrixReport.Print(matrix);

        // A VM that panicked or hung is evidence about its kernel (its cases count as failed in the comparison);
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
        var table = new Table().Title("patched against baseline").AddColumns("case", "change", "detail");
        foreach (var d in cmp.Diffs) table.AddRow(Markup.Escape(d.Id), Markup.Escape(d.Change), Markup.Escape(d.Detail));
        if (cmp.Diffs.Count > 0) AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{cmp.Cases} cases x {repeat} runs per kernel, each scenario in a fresh VM, up to {matrix.PeakConcurrency} VMs at once; noise (largest spread of time in the target across repeats): {cmp.NoiseFloor:0%}");
        Console.WriteLine(cmp.Regressed
            ? $"VERDICT REGRESSION: {cmp.NewlyFailing.Count()} case(s) newly failing"
            : $"VERDICT OK: no case newly failing ({cmp.Diffs.Count} change(s) reported)");
        return cmp.Regressed ? ExitCodes.VerdictNotPassed : ExitCodes.Passed;
    }
}
