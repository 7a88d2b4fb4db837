using System.CommandLine;
using System.Text.Json;
using KernelShim.Bindings;
using KernelShim.Harness;
using KernelShim.Harness.Bench;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using KernelShim.Harness.TestGuest;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim bench`: the model's cost against entry count, and the harness's overhead against bare QEMU.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var vm = new Option<bool>("--no-vm") { Description = "skip the QEMU/Docker measurements" };
        var reps = new Option<int>("--boots") { Description = "boots per backend (the median is reported)", DefaultValueFactory = _ => 3 };
        var warmOnly = new Option<bool>("--warm-only") { Description = "only the warm-start ratios (cold boot against warm start, suite, validate)" };
        var suiteRuns = new Option<int>("--suite-runs") { Description = "runs of the suite each way for the suite ratio (the median is reported)", DefaultValueFactory = _ => 1 };
        var patched = new Option<string?>("--patched") { Description = "the second kernel of the validate measurement (default: $KSHIM_PATCHED_KERNEL)" };
        var patchedSys = new Option<string?>("--patched-sys") { Description = "its sys tree (default: $KSHIM_PATCHED_SYS, else --sys)" };
        var validateCold = new Option<bool>("--validate-cold") { Description = "also time the validate matrix with every cell cold (a ratio; minutes more)" };
        reps.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--boots must be at least 1");
        });
        var nb = new NetBsdOptions();
        var cmd = new Command("bench", "Benchmarks: model and (with --kernel/--sys or KSHIM_KERNEL/KSHIM_SYS) in-kernel ops/s at 10, 1k, 100k allocations; Docker vs bare QEMU; cold boot against warm start")
            { vm, reps, warmOnly, suiteRuns, patched, patchedSys, validateCold };
        nb.AddTo(cmd);
        cmd.SetAction((pr, ct) =>
        {
            var warm = new WarmBenchOptions(pr.GetValue(suiteRuns), pr.GetValue(patched) ?? Environment.GetEnvironmentVariable("KSHIM_PATCHED_KERNEL"),
                pr.GetValue(patchedSys) ?? Environment.GetEnvironmentVariable("KSHIM_PATCHED_SYS"), pr.GetValue(validateCold));
            return pr.GetValue(warmOnly)
                ? WarmOnlyAsync(pr.GetValue(reps), nb.Read(pr), warm, ct)
                : RunAsync(!pr.GetValue(vm), pr.GetValue(reps), nb.Read(pr), warm, ct);
        });
        return cmd;
    }

    private static async Task<int> WarmOnlyAsync(int boots, NetBsdOptions.Values nb, WarmBenchOptions warm, CancellationToken ct)
    {
        var lines = await WarmStartTablesAsync(boots, nb, warm, ct);
        await WriteJsonAsync(new { warm = lines }, ct);
        return ExitCodes.Passed;
    }

    private static async Task WriteJsonAsync(object figures, CancellationToken ct)
    {
        var outDir = Path.Combine(RepoPaths.Root, "build", "bench");
        Directory.CreateDirectory(outDir);
        var json = Path.Combine(outDir, "bench.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }), ct);
        AnsiConsole.MarkupLineInterpolated($"figures written to {json}");
    }

    private static async Task<int> RunAsync(bool withVm, int boots, NetBsdOptions.Values nb, WarmBenchOptions warm, CancellationToken ct)
    {
        var points = ModelTable();
        List<VmTiming>? timings = null;
        List<OpsPoint>? kernel = null;
        IReadOnlyList<ScalePoint>? scale = null, kernelScale = null;
        if (withVm)
        {
            Step($"test guest: {boots} boot(s) under bare QEMU, then {boots} in the runner container");
            timings = await VmTableAsync(boots, ct);
            Step("test guest: a 4 x 3 matrix with one VM at a time, then as many as fit");
            scale = await ScaleTableAsync(ct);
        }
        if (NetBsdInputs.From(nb.Kernel, nb.Sys).Missing() is { } missing)
            AnsiConsole.MarkupLineInterpolated($"[grey]in-kernel figures skipped: {missing}[/]");
        else
        {
            Step("NetBSD: the model's mix in the kernel");
            kernel = await KernelTableAsync(nb, ct);
            if (withVm)
            {
                Step("NetBSD: a 2 x 4 matrix with one VM at a time, then as many as fit");
                kernelScale = await KernelScaleTableAsync(nb, ct);
            }
        }
        if (withVm) Step("cold boot against warm start to READY, the suite cold against warm, validate's wall time");
        var warmLines = withVm ? await WarmStartTablesAsync(boots, nb, warm, ct) : null;
        await WriteJsonAsync(new { model = points, vm = timings, scale, kernel, kernelScale, warm = warmLines }, ct);
        // A measurement whose VMs failed is not a figure: say which and why, and fail.
        var failures = new[] { scale, kernelScale }.Where(p => p is not null).SelectMany(p => p!).SelectMany(p => p.Failures).Distinct().ToList();
        foreach (var f in failures.Take(20)) AnsiConsole.MarkupLineInterpolated($"[red]FAILED[/] {f}");
        if (failures.Count > 0)
        {
            Console.WriteLine($"VERDICT FAILED: {failures.Count} case(s) of the parallel-VM runs did not pass; their timings are not comparable");
            return ExitCodes.VerdictNotPassed;
        }
        return ExitCodes.Passed;
    }

    private static void Step(string what) => AnsiConsole.MarkupLineInterpolated($"[bold]bench:[/] {what} ...");

    private sealed record WarmBenchOptions(int SuiteRuns, string? PatchedKernel, string? PatchedSys, bool ValidateCold);

    private static void Say(string line) => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]");

    /// <summary>
    /// Cold boot against warm start to READY (test guest; the kernel when given), the default suite on the
    /// kernel cold against warm, and the wall time of `validate --repeat 3` of the kernel and the patched one.
    /// </summary>
    private static async Task<List<string>> WarmStartTablesAsync(int boots, NetBsdOptions.Values nb, WarmBenchOptions warm, CancellationToken ct)
    {
        var lines = new List<string>();
        void Print(string line)
        {
            lines.Add(line);
            AnsiConsole.MarkupLineInterpolated($"[bold]{line}[/]");
        }
        var kernelGuest = NetBsdInputs.From(nb.Kernel, nb.Sys).Missing() is null
            ? NetBsdGuest.Prepare(NetBsdInputs.From(nb.Kernel, nb.Sys), Say, nb.Boot, "base") : null;
        IGuestUnderTest[] rows = kernelGuest is null ? [new TestGuestUnderTest(TestGuestKernel.Build())] : [new TestGuestUnderTest(TestGuestKernel.Build()), kernelGuest];
        var endpoint = nb.Endpoint is null ? DockerEndpoint.FromEnvironment() : DockerEndpoint.Parse(nb.Endpoint);
        await using var setup = await MatrixSetup.PrepareAsync(rows, [endpoint], nb.Accel, null, Say, ct);
        var place = setup.Places[0];
        foreach (var g in rows)
            Print("ratio " + (await WarmStartBench.ReadyAsync(g, place, boots, Say, ct)).Line);
        if (kernelGuest is null)
        {
            Say("suite and validate ratios skipped: no kernel (--kernel/--sys or KSHIM_KERNEL/KSHIM_SYS)");
            return lines;
        }
        var suite = ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory);
        var (ratio, failedCold, failedWarm) = await WarmStartBench.SuiteAsync(kernelGuest, suite, setup, warm.SuiteRuns, Say, ct);
        Print($"ratio {ratio.Line}; failed cases: {failedCold} cold, {failedWarm} warm");
        if (warm.PatchedKernel is null)
        {
            Say("validate timing skipped: no second kernel (--patched or KSHIM_PATCHED_KERNEL)");
            return lines;
        }
        var patched = NetBsdGuest.Prepare(NetBsdInputs.From(warm.PatchedKernel, warm.PatchedSys ?? nb.Sys), Say, nb.Boot, "patched");
        IGuestUnderTest[] pair = [kernelGuest, patched];
        await using var pairSetup = await MatrixSetup.PrepareAsync(pair, [endpoint], nb.Accel, null, Say, ct);
        var w = await WarmStartBench.MatrixWallAsync(pair, suite, pairSetup, 3, warmStarts: true, ct);
        if (warm.ValidateCold)
        {
            var c = await WarmStartBench.MatrixWallAsync(pair, suite, pairSetup, 3, warmStarts: false, ct);
            Print($"ratio {new SpeedRatio("validate --repeat 3 of two kernels (wall)", "the old path (cold, full line)", "the new path (warm, lean line)", [c.Seconds], [w.Seconds]).Line}; " +
                  $"failed cases: {c.Failed} cold, {w.Failed} warm of {w.Cases}; not reproduced: {c.NotReproduced} cold, {w.NotReproduced} warm");
        }
        Print($"validate --repeat 3 of {kernelGuest.Kernel.OsRelease} ({kernelGuest.Label}) and {patched.Kernel.OsRelease} ({patched.Label}), warm, lean line: " +
              $"{w.Seconds:0.0} s wall for {w.Cases} cases, {w.Failed} failed, {w.NotReproduced} not reproduced (a reproduction that did not form), " +
              $"{pairSetup.Plan.Total} VM(s) at once");
        return lines;
    }

    private static List<OpsPoint> ModelTable()
    {
        Step("model: 4 policies x 10, 1k, 100k allocations");
        using var device = new ModelDevice();
        var bench = new ModelBench(device);
        var points = new List<OpsPoint>();
        var table = new Table().Title("Model: lookup + free/re-allocate mix after N one-page allocations side by side (ran on the model, not NetBSD)")
            .AddColumns("policy", "N", "entries", "ops/s", "ns/op in target");
        foreach (var policy in new[] { uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC, uvmshim_policy.UVMSHIM_POLICY_NOMERGE,
                     uvmshim_policy.UVMSHIM_POLICY_MERGE_RESERVE, uvmshim_policy.UVMSHIM_POLICY_MODERN,
                     uvmshim_policy.UVMSHIM_POLICY_THORPE })
            foreach (int n in new[] { 10, 1000, 100_000 })
            {
                bench.Measure(policy, n); // warm-up
                var p = bench.Measure(policy, n);
                points.Add(p);
                table.AddRow(p.Policy, p.Allocations.ToString("N0"), p.Entries.ToString("N0"),
                    p.OpsPerSecond.ToString("N0"), p.NsPerOpInTarget.ToString("N0"));
            }
        AnsiConsole.Write(table);
        return points;
    }

    /// <summary>Allocations per in-kernel point ($KSHIM_BENCH_SIZES, comma-separated, overrides).</summary>
    private static int[] KernelSizes =>
        Environment.GetEnvironmentVariable("KSHIM_BENCH_SIZES") is { Length: > 0 } s
            ? s.Split(',').Select(int.Parse).ToArray()
            : [10, 1000, 100_000];

    /// <summary>The same workload as the model table, on the real kernel through the agent (batched: one ioctl per phase).</summary>
    private static async Task<List<OpsPoint>?> KernelTableAsync(NetBsdOptions.Values nb, CancellationToken ct)
    {
        await using var prepared = await NetBsdOptions.PrepareAsync(nb, ct);
        var points = new List<OpsPoint>();
        var run = prepared.Setup.NewRun(new RunDeadlines { Wall = TimeSpan.FromMinutes(30) }, l => AnsiConsole.MarkupLineInterpolated($"[grey]{l}[/]"), out var work);
        var verdict = await run.RunAsync((s, ready, _) =>
        {
            var device = new AgentDevice(s.Agent, DeviceKind.Kernel, ready.OsVersion) { Deadline = TimeSpan.FromMinutes(5) };
            var bench = new ModelBench(device) { MixOps = 6000 };
            foreach (var policy in new[] { uvmshim_policy.UVMSHIM_POLICY_DEFAULT, uvmshim_policy.UVMSHIM_POLICY_NOMERGE })
                foreach (int n in KernelSizes)
                    points.Add(bench.Measure(policy, n));
            return Task.FromResult(Verdict.Passed("measured"));
        }, ct);
        if (!verdict.IsSuccess)
        {
            VerdictReport.Print(verdict, work);
            return null;
        }
        var table = new Table().Title($"{verdict.Target}: the same mix in the kernel (ns/op measured in the kernel; ops/s includes the serial line)")
            .AddColumns("policy", "N", "entries", "ops/s", "ns/op in kernel");
        foreach (var p in points)
            table.AddRow(p.Policy, p.Allocations.ToString("N0"), p.Entries.ToString("N0"), p.OpsPerSecond.ToString("N0"), p.NsPerOpInTarget.ToString("N0"));
        AnsiConsole.Write(table);
        return points;
    }

    private static async Task<List<VmTiming>> VmTableAsync(int boots, CancellationToken ct)
    {
        var kernel = TestGuestKernel.Build();
        var accel = AccelSelector.Choose(AccelMode.Auto, HostVirtualization.Probe());
        await using var runner = new DockerRunner();
        var image = (await new RunnerImage(runner).EnsureAsync(null, ct)).Tag;
        var backends = new IMachineBackend[] { new LocalQemuBackend(), new DockerQemuBackend(runner, image) };
        var medians = new List<VmTiming>();
        foreach (var backend in backends)
        {
            var runs = new List<VmTiming>();
            for (int i = 0; i < boots; i++)
            {
                var t = await VmBench.MeasureAsync(backend, w => TestGuestKernel.Spec(kernel, w, accel), DeviceKind.TestGuest, ct: ct);
                runs.Add(t);
                AnsiConsole.MarkupLineInterpolated($"[grey]{backend.Name}: boot {i + 1}/{boots}: READY in {t.ReadySeconds:0.000} s[/]");
            }
            medians.Add(new VmTiming(backend.Name,
                Median(runs.Select(r => r.ReadySeconds)), Median(runs.Select(r => r.RoundTripMs)),
                Median(runs.Select(r => r.SingleOpUs)), Median(runs.Select(r => r.BatchedOpUs))));
        }
        var bare = medians[0];
        var table = new Table().Title($"Test guest under QEMU ({accel}): harness in Docker against bare QEMU, median of {boots} boots")
            .AddColumns("backend", "start to READY", "ioctl round trip", "map, one per ioctl", "unmap, batched");
        foreach (var m in medians)
            table.AddRow(m.Backend,
                $"{m.ReadySeconds:0.000} s (x{m.ReadySeconds / bare.ReadySeconds:0.00})",
                $"{m.RoundTripMs:0.000} ms (x{m.RoundTripMs / bare.RoundTripMs:0.00})",
                $"{m.SingleOpUs:0} us/op (x{m.SingleOpUs / bare.SingleOpUs:0.00})",
                $"{m.BatchedOpUs:0.0} us/op (x{m.BatchedOpUs / bare.BatchedOpUs:0.00})");
        AnsiConsole.Write(table);
        return medians;
    }

    /// <summary>The kernel as two matrix rows x merge, split, stress and pr24039: what parallel NetBSD VMs buy on this machine.</summary>
    private static async Task<IReadOnlyList<ScalePoint>?> KernelScaleTableAsync(NetBsdOptions.Values nb, CancellationToken ct)
    {
        var inputs = NetBsdInputs.From(nb.Kernel, nb.Sys);
        IGuestUnderTest[] guests = [NetBsdGuest.Prepare(inputs, null, nb.Boot, "a"), NetBsdGuest.Prepare(inputs, null, nb.Boot, "b")];
        return await ScaleTableAsync("NetBSD", guests, ["merge", "split", "stress", "pr24039"], nb.Accel, ct);
    }

    /// <summary>A test-guest matrix (four rows x the merge, split and fuzz scenarios) with one VM at a time, then as many as fit.</summary>
    private static Task<IReadOnlyList<ScalePoint>> ScaleTableAsync(CancellationToken ct)
    {
        var kernel = TestGuestKernel.Build();
        IGuestUnderTest[] guests = [.. Enumerable.Range(1, 4).Select(i => new TestGuestUnderTest(kernel, $"tg{i}"))];
        return ScaleTableAsync("test-guest", guests, ["merge", "split", "fuzz"], AccelMode.Tcg, ct);
    }

    private static async Task<IReadOnlyList<ScalePoint>> ScaleTableAsync(string what, IGuestUnderTest[] guests, string[] names,
        AccelMode accel, CancellationToken ct)
    {
        var scenarios = ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory).Where(s => names.Contains(s.Name)).ToList();
        var points = await ScaleBench.MeasureAsync(guests, scenarios, [DockerEndpoint.FromEnvironment()], accel,
            l => AnsiConsole.MarkupLineInterpolated($"[grey]{l}[/]"), ct, MatrixReport.PrintCell);
        var table = new Table().Title($"Parallel VMs: {points[0].Cells} {what} cells ({string.Join(", ", scenarios.Select(s => s.Name))} x {guests.Length} rows), one at a time against as many as fit")
            .AddColumns("VMs at once (plan)", "peak seen", "wall", "VM time", "speedup", "failed cases");
        foreach (var p in points)
            table.AddRow(p.Jobs.ToString(), p.PeakConcurrency.ToString(), $"{p.WallSeconds:0.0} s", $"{p.VmSeconds:0.0} s",
                $"x{points[0].WallSeconds / p.WallSeconds:0.00}", p.Failed.ToString());
        AnsiConsole.Write(table);
        return points;
    }

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
