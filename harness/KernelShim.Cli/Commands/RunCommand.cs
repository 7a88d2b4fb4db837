using System.CommandLine;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Reports;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim run`: the scenario suite on a target.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "where to run: model (in-process reference model) or qemu (a NetBSD kernel)", DefaultValueFactory = _ => "model" };
        target.AcceptOnlyFromAmong("model", "qemu");
        var scenarios = new Option<string?>("--scenarios") { Description = "directory of scenario files (default: the repository's scenarios/)" };
        var filter = new Option<string?>("--filter") { Description = "only cases whose scenario/case id contains this text, or any of several separated by commas (pr24039/,merge/)" };
        var report = new Option<string?>("--report") { Description = "directory for junit.xml, results.ktap, results.json, report.html (default: build/reports/TARGET)" };
        var nb = new NetBsdOptions(matrix: true);
        var cmd = new Command("run", "Run the merge/split scenario suite and print verdicts") { target, scenarios, filter, report };
        nb.AddTo(cmd);
        cmd.SetAction((pr, ct) =>
        {
            ReportDir = pr.GetValue(report);
            return RunAsync(pr.GetValue(target)!, pr.GetValue(scenarios), pr.GetValue(filter), nb.ReadMatrix(pr), ct);
        });
        return cmd;
    }

    private static async Task<int> RunAsync(string target, string? dir, string? filter, NetBsdOptions.MatrixValues nb, CancellationToken ct)
    {
        var suite = SuiteSelection.Load(dir, filter);
        if (ReportDir is not null) SuiteSelection.ReportDirectory(ReportDir);
        return target == "model" ? RunOnModel(suite, filter) : await RunOnNetBsdAsync(suite, filter, nb, ct);
    }

    private static string? ReportDir;

    private static void WriteReports(IReadOnlyList<CaseResult> results, string target, string slug)
    {
        var dir = SuiteSelection.ReportDirectory(ReportDir ?? Path.Combine(KernelShim.Harness.RepoPaths.Root, "build", "reports", slug));
        var files = ReportSet.Write(dir, results, target);
        AnsiConsole.MarkupLineInterpolated($"reports: {string.Join(", ", files.Select(Path.GetFileName))} in {dir}");
    }

    private static int RunOnModel(IReadOnlyList<Scenario> suite, string? filter)
    {
        using var device = new ModelDevice();
        AnsiConsole.MarkupLineInterpolated($"Target: [bold]{device.Description}[/]: the reference model, not a NetBSD kernel.");
        var results = new SuiteRunner(device, PolicyNames.ModelPolicies) { Filter = filter, OnCase = PrintIfNotPassed }.Run(suite);
        SuiteReport.PrintPolicyTable(results, "model");
        WriteReports(results, $"{device.Description}: the reference model, not a NetBSD kernel", "model");
        return SuiteReport.PrintSummary(results);
    }

    private static async Task<int> RunOnNetBsdAsync(IReadOnlyList<Scenario> suite, string? filter, NetBsdOptions.MatrixValues nb, CancellationToken ct)
    {
        await using var prepared = await NetBsdOptions.PrepareMatrixAsync(nb, ct);
        var runner = prepared.Setup.Runner(filter, Progress, MatrixReport.PrintCell, warmStarts: nb.Warm);
        var matrix = await runner.RunAsync(prepared.Guests, suite, 1, ct);
        var results = matrix.Cases;
        foreach (var g in prepared.Guests)
        {
            var mine = results.Where(r => r.Kernel == g.Label).ToList();
            if (mine.Count > 0) SuiteReport.PrintPolicyTable(mine, $"NetBSD {g.Kernel.OsRelease} kernel {g.Label}");
        }
        MatrixReport.Print(matrix);
        var targets = string.Join("; ", prepared.Guests.Select(g => $"{g.Target} ({g.Label})"));
        AnsiConsole.MarkupLineInterpolated($"Target: [bold]{targets}[/] under QEMU on {string.Join(", ", prepared.Setup.Places.Select(p => $"{p.Endpoint.Url} ({p.Accel})"))}");
        if (results.Count > 0)
            WriteReports(results, targets, prepared.Guests.Count == 1 ? $"netbsd-{prepared.Guests[0].Kernel.OsRelease}" : "netbsd-matrix");
        foreach (var cell in matrix.Cells.Where(c => !c.Result.VmVerdict.IsSuccess && c.Result.VmVerdict.Kind != VerdictKind.Failed))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{cell.Job}[/] on {cell.Endpoint?.Url ?? "no endpoint"}:");
            VerdictReport.Print(cell.Result.VmVerdict, cell.Result.WorkDir ?? "(none)");
        }
        int failed = results.Count(r => !r.Verdict.IsSuccess);
        Console.WriteLine(SuiteReport.VerdictLine(results, $"in {matrix.Cells.Count} VM(s)"));
        if (matrix.Cells.Any(c => c.Result.VmVerdict.Kind == VerdictKind.InfrastructureError) && failed == results.Count)
        {
            SuiteReport.PrintSummary(results);
            return ExitCodes.Infrastructure;
        }
        return results.Count > 0 && failed == 0 ? SuiteReport.PrintSummary(results) : Fail(results);
    }

    private static int Fail(IReadOnlyList<CaseResult> results)
    {
        if (results.Count > 0) SuiteReport.PrintSummary(results);
        return ExitCodes.VerdictNotPassed;
    }

    private static void PrintIfNotPassed(CaseResult r)
    {
        if (!r.Verdict.IsSuccess)
            AnsiConsole.MarkupLineInterpolated($"[red]{r.Word}[/] {r.Id}: {r.Verdict.Summary}");
    }

    private static void Progress(string line) => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]");
}
