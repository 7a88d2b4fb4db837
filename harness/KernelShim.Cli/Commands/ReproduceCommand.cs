using System.CommandLine;
using KernelShim.Bindings;
using KernelShim.Harness.Ddb;
using KernelShim.Harness.Devices;
using KernelShim.Harness.KernelConsole;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim reproduce pr24039`: the deadlock on demand, with evidence; exit 0 when reproduced.</summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "qemu (a NetBSD kernel) or model", DefaultValueFactory = _ => "qemu" };
        target.AcceptOnlyFromAmong("model", "qemu");
        var bound = new Option<uint>("--bound-ms") { Description = "the watchdog's bound", DefaultValueFactory = _ => 1000 };
        var hold = new Option<uint>("--hold-ms") { Description = "how long the cycle stands after detection (ddb captures stacks meanwhile)", DefaultValueFactory = _ => 8000 };
        // The ABI's ranges (the model and the module refuse anything else with EINVAL): said at the command line instead.
        bound.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<uint>() is < UvmshimIoctl.UVMSHIM_MIN_CYCLE_BOUND_MS or > UvmshimIoctl.UVMSHIM_MAX_CYCLE_BOUND_MS)
                r.AddError($"--bound-ms must be between {UvmshimIoctl.UVMSHIM_MIN_CYCLE_BOUND_MS} and {UvmshimIoctl.UVMSHIM_MAX_CYCLE_BOUND_MS}");
        });
        hold.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<uint>() > UvmshimIoctl.UVMSHIM_MAX_CYCLE_HOLD_MS)
                r.AddError($"--hold-ms must be at most {UvmshimIoctl.UVMSHIM_MAX_CYCLE_HOLD_MS}");
        });
        var nb = new NetBsdOptions();
        var pr24039 = new Command("pr24039", "Form the PR 24039 cycle under merging, capture evidence, recover, then show no-merge completing") { target, bound, hold };
        nb.AddTo(pr24039);
        pr24039.SetAction((pr, ct) => pr.GetValue(target) == "model"
            ? Task.FromResult(OnModel(pr.GetValue(bound)))
            : OnNetBsdAsync(nb.Read(pr), pr.GetValue(bound), pr.GetValue(hold), ct));
        return new Command("reproduce", "Reproduce a known deadlock on demand") { pr24039 };
    }

    private static int OnModel(uint bound)
    {
        using var device = new ModelDevice();
        AnsiConsole.MarkupLine("Target: the reference model (not a NetBSD kernel), policy merge-alloc (pre-1.153).");
        var r = Pr24039Reproduction.RunAsync(device, uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC, null, null, bound, 0).GetAwaiter().GetResult();
        return Print(r);
    }

    private static async Task<int> OnNetBsdAsync(NetBsdOptions.Values nb, uint bound, uint hold, CancellationToken ct)
    {
        await using var prepared = await NetBsdOptions.PrepareAsync(nb, ct);
        ReproductionResult? result = null;
        TimeSpan? captured = null;
        var run = prepared.Setup.NewRun(new RunDeadlines(), line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), out var work);
        var verdict = await run.RunAsync(async (s, ready, token) =>
        {
            var device = new AgentDevice(s.Agent, DeviceKind.Kernel, ready.OsVersion) { Deadline = TimeSpan.FromMilliseconds(bound + hold) + TimeSpan.FromSeconds(60) };
            var ddb = new DdbCapture(s.Console, s.Watcher);
            var since = DateTimeOffset.UtcNow;
            var standing = s.Watcher.WaitForAsync(e => e.Kind == ConsoleEventKind.CycleDetected, TimeSpan.FromMinutes(5), since, token);
            result = await Pr24039Reproduction.RunAsync(device, uvmshim_policy.UVMSHIM_POLICY_DEFAULT,
                hold == 0 ? null : standing, async c =>
                {
                    var detected = standing.Result;
                    var line = CycleConsoleLine.Parse(detected.Line);
                    var stacks = await ddb.CaptureWithPartiesAsync(CycleParties(line), line?.DdbCommands(), c, NotAsleepYet);
                    captured = DateTimeOffset.UtcNow - detected.At;
                    return stacks;
                }, bound, hold, token);
            return result.Reproduced ? Verdict.Passed("reproduced") : Verdict.Failed("not reproduced");
        }, ct);
        AnsiConsole.MarkupLineInterpolated($"Target: [bold]{verdict.Target}[/]");
        if (result is null)
        {
            VerdictReport.Print(verdict, work);
            return verdict.Kind == VerdictKind.InfrastructureError ? ExitCodes.Infrastructure : ExitCodes.VerdictNotPassed;
        }
        if (result.Stacks is { Entered: true } st)
        {
            AnsiConsole.MarkupLine("--- ddb, while the cycle stood (the parties first):");
            Console.WriteLine(st.Text);
            if (captured is { } t)
                AnsiConsole.MarkupLineInterpolated($"ddb capture done {t.TotalSeconds:0.0} s after the module's DEADLOCK line (hold {hold} ms)");
        }
        return Print(result);
    }

    /// <summary>The cycle's parties: its two threads and whoever write-holds the map (from the module's console line).</summary>
    private static IReadOnlyList<DdbParty> CycleParties(CycleConsoleLine? line) =>
    [
        DdbParty.ByName("unmapper", "uvmshim_unmap"),
        DdbParty.ByName("reclaimer", "uvmshim_reclaim"),
        .. line is null ? [] : new[] { DdbParty.ByLid($"owner of the map lock (lwp {line.HolderLid}, {line.HolderName})", line.HolderLid) },
    ];

    /// <summary>
    /// The unmapper retries its allocation each time the pagedaemon wakes it, so a BREAK
    /// can find it runnable between two sleeps: then look again (the cycle still stands).
    /// </summary>
    private static string? NotAsleepYet(IReadOnlyList<DdbPsRow> ps)
    {
        var unmapper = ps.FirstOrDefault(DdbParty.ByName("unmapper", "uvmshim_unmap").Matches);
        var reclaimer = ps.FirstOrDefault(DdbParty.ByName("reclaimer", "uvmshim_reclaim").Matches);
        if (unmapper is { IsAsleep: false }) return $"the unmapper is not asleep (state {unmapper.State})";
        if (reclaimer is { IsAsleep: false }) return $"the reclaimer is not asleep (state {reclaimer.State})";
        return null;
    }

    private static int Print(ReproductionResult r)
    {
        if (r.Merging.Deadlock)
            AnsiConsole.MarkupLineInterpolated($"[red bold]DEADLOCK REPRODUCED[/] under {r.MergingPolicy}: {r.Merging}");
        else
            AnsiConsole.MarkupLineInterpolated($"[yellow]NOT REPRODUCED[/] under {r.MergingPolicy}: {r.Merging}");
        AnsiConsole.MarkupLineInterpolated($"under nomerge (1.153): {r.NoMerge}");
        Console.WriteLine(r.Reproduced ? "reproduced: yes" : "reproduced: no");
        return r.Reproduced ? ExitCodes.Passed : ExitCodes.VerdictNotPassed;
    }
}
