using System.CommandLine;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Scenarios;
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
        var cmd = new Command("run", "Run the merge/split scenario suite and print verdicts") { target, scenarios, filter };
        cmd.SetAction(pr => Run(pr.GetValue(target)!, pr.GetValue(scenarios), pr.GetValue(filter)));
        return cmd;
    }

    private static int Run(string target, string? dir, string? filter)
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
        if (target != "model")
        {
            AnsiConsole.MarkupLine("[red]--target qemu is not available in this build yet[/]");
            return ExitCodes.UsageOrInput;
        }
        using var device = new ModelDevice();
        AnsiConsole.MarkupLineInterpolated($"Target: [bold]{device.Description}[/]: the reference model, not a NetBSD kernel.");
        var runner = new SuiteRunner(device, PolicyNames.ModelPolicies)
        {
            Filter = filter,
            OnCase = r =>
            {
                if (!r.Verdict.IsSuccess)
                    AnsiConsole.MarkupLineInterpolated($"[red]{r.Verdict.Kind.ToString().ToUpperInvariant()}[/] {r.Id}: {r.Verdict.Summary}");
            },
        };
        var results = runner.Run(suite);
        SuiteReport.PrintPolicyTable(results, "model");
        return SuiteReport.PrintSummary(results);
    }
}
