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
        var repeat = new Option<int>("--repeat") { Description = "suite runs per kernel (noise is their spread)", DefaultValueFactory = _ => 3 };
        var filter = new Option<string?>("--filter") { Description = "only cases whose scenario/case id contains this text" };
        var accel = new Option<AccelMode>("--accel") { DefaultValueFactory = _ => AccelMode.Auto };
        var cmd = new Command("validate", "A/B: run the suite on a baseline and a patched kernel and report regressions")
            { baseline, patched, sys, repeat, filter, accel };
        cmd.SetAction((pr, ct) => RunAsync(pr.GetValue(baseline)!, pr.GetValue(patched)!, pr.GetValue(sys), pr.GetValue(repeat),
            pr.GetValue(filter), pr.GetValue(accel), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(string baseline, string patched, string? sys, int repeat, string? filter, AccelMode accel, CancellationToken ct)
    {
        var suite = ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory);
        var runs = new List<IReadOnlyList<IReadOnlyList<CaseResult>>>();
        foreach (var (label, kernel) in new[] { ("baseline", baseline), ("patched", patched) })
        {
            AnsiConsole.MarkupLineInterpolated($"[bold]{label}[/]: {kernel}");
            await using var prepared = await NetBsdOptions.PrepareAsync(new NetBsdOptions.Values(kernel, sys, accel), ct);
            if (prepared.Setup is null) return prepared.ExitCode;
            var repeats = new List<IReadOnlyList<CaseResult>>();
            var run = prepared.Setup.NewRun(new RunDeadlines { Wall = TimeSpan.FromMinutes(60) },
                l => AnsiConsole.MarkupLineInterpolated($"[grey]{l}[/]"), out var work);
            var verdict = await run.RunAsync((s, ready, _) =>
            {
                if (ready.ModuleError != 0)
                    return Task.FromResult(new Verdict(VerdictKind.InfrastructureError, $"uvmshim.kmod did not load: errno {ready.ModuleError}"));
                var device = new AgentDevice(s.Agent, DeviceKind.Kernel, ready.OsVersion);
                for (int i = 0; i < repeat; i++)
                    repeats.Add(new SuiteRunner(device, PolicyNames.KernelPolicies, () => new ModelDevice()) { Filter = filter }.Run(suite));
                return Task.FromResult(Verdict.Passed($"{repeat} suite run(s)"));
            }, ct);
            if (!verdict.IsSuccess)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{label} kernel: {verdict}[/]");
                VerdictReport.Print(verdict, work);
                return verdict.Kind == VerdictKind.InfrastructureError ? ExitCodes.Infrastructure : ExitCodes.VerdictNotPassed;
            }
            runs.Add(repeats);
        }
        var cmp = SuiteComparison.Compare(runs[0], runs[1]);
        var table = new Table().Title("patched against baseline").AddColumns("case", "change", "detail");
        foreach (var d in cmp.Diffs) table.AddRow(Markup.Escape(d.Id), Markup.Escape(d.Change), Markup.Escape(d.Detail));
        if (cmp.Diffs.Count > 0) AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{cmp.Cases} cases x {repeat} runs per kernel; noise (largest spread of time in the target across repeats): {cmp.NoiseFloor:0%}");
        Console.WriteLine(cmp.Regressed
            ? $"VERDICT REGRESSION: {cmp.NewlyFailing.Count()} case(s) newly failing"
            : $"VERDICT OK: no case newly failing ({cmp.Diffs.Count} change(s) reported)");
        return cmp.Regressed ? ExitCodes.VerdictNotPassed : ExitCodes.Passed;
    }
}
