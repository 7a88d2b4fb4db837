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
        var filter = new Option<string?>("--filter") { Description = "only cases whose scenario/case id contains this text" };
        var report = new Option<string?>("--report") { Description = "directory for junit.xml, results.ktap, results.json, report.html (default: build/reports/TARGET)" };
        var nb = new NetBsdOptions();
        var cmd = new Command("run", "Run the merge/split scenario suite and print verdicts") { target, scenarios, filter, report };
        nb.AddTo(cmd);
        cmd.SetAction((pr, ct) =>
        {
            ReportDir = pr.GetValue(report);
            return RunAsync(pr.GetValue(target)!, pr.GetValue(scenarios), pr.GetValue(filter), nb.Read(pr), ct);
        });
        return cmd;
    }

    private static async Task<int> RunAsync(string target, string? dir, string? filter, NetBsdOptions.Values nb, CancellationToken ct)
    {
        IReadOnlyList<Scenario> suite;
        try
        {
            suite = ScenarioLoader.LoadDirectory(dir ?? SuiteRunner.DefaultDirectory);
        }
        catch (ScenarioFormatException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]scenario error:[/] {e.Message}");
            return ExitCodes.UsageOrInput;
        }
        return target == "model" ? RunOnModel(suite, filter) : await RunOnNetBsdAsync(suite, filter, nb, ct);
    }

    private static string? ReportDir;

    private static void WriteReports(IReadOnlyList<CaseResult> results, string target, string slug)
    {
        var dir = ReportDir ?? Path.Combine(KernelShim.Harness.RepoPaths.Root, "build", "reports", slug);
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

    private static async Task<int> RunOnNetBsdAsync(IReadOnlyList<Scenario> suite, string? filter, NetBsdOptions.Values nb, CancellationToken ct)
    {
        await using var setup = await NetBsdOptions.PrepareAsync(nb, ct);
        if (setup.Setup is null) return setup.ExitCode;
        IReadOnlyList<CaseResult> results = [];
        var run = setup.Setup.NewRun(new RunDeadlines { Wall = TimeSpan.FromMinutes(30) }, Progress, out var work);
        var verdict = await run.RunAsync((session, ready, _) =>
        {
            if (ready.ModuleError != 0)
                return Task.FromResult(new Verdict(VerdictKind.InfrastructureError, $"the agent could not load uvmshim.kmod: errno {ready.ModuleError}"));
            var device = new AgentDevice(session.Agent, DeviceKind.Kernel, $"{ready.OsVersion} (uvmshim via the guest agent)");
            results = new SuiteRunner(device, PolicyNames.KernelPolicies, () => new ModelDevice()) { Filter = filter, OnCase = PrintIfNotPassed }.Run(suite);
            int failed = results.Count(r => !r.Verdict.IsSuccess);
            return Task.FromResult(failed == 0 ? Verdict.Passed($"{results.Count} case(s) passed") : Verdict.Failed($"{failed} of {results.Count} case(s) failed"));
        }, ct);
        AnsiConsole.MarkupLineInterpolated($"Target: [bold]{verdict.Target}[/]");
        if (results.Count > 0)
        {
            SuiteReport.PrintPolicyTable(results, $"NetBSD {setup.Setup.Kernel.OsRelease} kernel");
            WriteReports(results, verdict.Target, $"netbsd-{setup.Setup.Kernel.OsRelease}");
        }
        VerdictReport.Print(verdict, work);
        if (verdict.Kind is VerdictKind.InfrastructureError) return ExitCodes.Infrastructure;
        return results.Count > 0 && verdict.Kind == VerdictKind.Passed ? SuiteReport.PrintSummary(results) : Fail(results);
    }

    private static int Fail(IReadOnlyList<CaseResult> results)
    {
        if (results.Count > 0) SuiteReport.PrintSummary(results);
        return ExitCodes.VerdictNotPassed;
    }

    private static void PrintIfNotPassed(CaseResult r)
    {
        if (!r.Verdict.IsSuccess)
            AnsiConsole.MarkupLineInterpolated($"[red]{r.Verdict.Kind.ToString().ToUpperInvariant()}[/] {r.Id}: {r.Verdict.Summary}");
    }

    private static void Progress(string line) => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]");
}
