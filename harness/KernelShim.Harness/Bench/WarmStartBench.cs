using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using KernelShim.Harness.WarmStart;

namespace KernelShim.Harness.Bench;

/// <summary>
/// What warm starts and a lean line buy, old path against new in one run: start to READY from
/// a cold boot against from the saved state (interleaved, one VM at a time), the suite on a
/// kernel with every cell booted cold and every op and result on the line against cells started
/// warm on a lean line (<see cref="LineUse"/>), and the wall time of a validate-sized matrix.
/// States come from the usual store, made by the first cold boot if missing (that boot is
/// not counted), so "warm" is the steady state of a developer's next run.
/// </summary>
public static class WarmStartBench
{
    public static async Task<SpeedRatio> ReadyAsync(IGuestUnderTest guest, VmPlace place, int boots, Action<string>? progress,
        CancellationToken ct = default)
    {
        var store = SavedStateStore.Default();
        var first = await OnceAsync(guest, place, store, warm: true, ct).ConfigureAwait(false);
        progress?.Invoke($"{guest.Label}: saved state ready ({first.Start})");
        var cold = new List<double>();
        var warm = new List<double>();
        for (int i = 0; i < boots; i++)
        {
            var c = await OnceAsync(guest, place, store, warm: false, ct).ConfigureAwait(false);
            cold.Add(c.ReadyAfter!.Value.TotalSeconds);
            var w = await OnceAsync(guest, place, store, warm: true, ct).ConfigureAwait(false);
            if (w.Start?.Kind != StartKind.Warm) throw new InvalidOperationException($"a warm start was expected: {w.Start}");
            warm.Add(w.ReadyAfter!.Value.TotalSeconds);
            progress?.Invoke($"{guest.Label}: READY cold {cold[^1]:0.00} s, warm {warm[^1]:0.00} s");
        }
        return new SpeedRatio($"start to READY, {guest.Target} ({guest.Label})", "cold boot", "warm start", cold, warm);
    }

    /// <summary>A VM that only comes up; throws when it does not.</summary>
    private static async Task<Verdict> OnceAsync(IGuestUnderTest guest, VmPlace place, SavedStateStore store, bool warm, CancellationToken ct)
    {
        using var slot = place.Endpoint.IsOnThisMachine ? await MachineSlots.AcquireAsync(Environment.ProcessorCount, null, ct).ConfigureAwait(false) : null;
        var work = Directory.CreateTempSubdirectory("kshim-bench-").FullName;
        try
        {
            var spec = guest.Spec(work, place.Accel);
            bool ramFile = place.Endpoint.Transfer == Runner.TransferMode.Bind;
            WarmStartOptions? options = warm && guest.WarmKey is { } k
                ? new WarmStartOptions(store, WarmStartKey.Compute(k, spec, place.Image, ramFile), WarmStartKey.Describe(k, spec, place.Image, ramFile), ramFile)
                : null;
            var v = await new GuestRun(place.Backend(), spec, new RunDeadlines()) { Target = guest.Target, Warm = options }
                .RunAsync((_, _, _) => Task.FromResult(Verdict.Passed("READY")), ct).ConfigureAwait(false);
            if (!v.IsSuccess || v.ReadyAfter is null) throw new InvalidOperationException($"a bench VM did not come up: {v}");
            return v;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The suite on one guest as a matrix, the old path (every cell cold, <see cref="LineUse.Full"/>)
    /// against the new (cells warm, <see cref="LineUse.Lean"/>), <paramref name="runs"/> of each, alternating.
    /// </summary>
    public static async Task<(SpeedRatio Ratio, int FailedCold, int FailedWarm)> SuiteAsync(IGuestUnderTest guest, IReadOnlyList<Scenario> suite,
        MatrixSetup setup, int runs, Action<string>? progress, CancellationToken ct = default)
    {
        var cold = new List<double>();
        var warm = new List<double>();
        int failedCold = 0, failedWarm = 0;
        for (int i = 0; i < runs; i++)
        {
            var c = await setup.Runner(null, null, warmStarts: false, line: LineUse.Full).RunAsync([guest], suite, 1, ct).ConfigureAwait(false);
            cold.Add(c.Wall.TotalSeconds);
            failedCold += c.Cases.Count(r => !r.Verdict.IsSuccess);
            var w = await setup.Runner(null, null, warmStarts: true).RunAsync([guest], suite, 1, ct).ConfigureAwait(false);
            warm.Add(w.Wall.TotalSeconds);
            failedWarm += w.Cases.Count(r => !r.Verdict.IsSuccess);
            progress?.Invoke($"{guest.Label}: suite cold {cold[^1]:0.0} s ({c.Cases.Count} cases, {c.Cells.Count} VMs), " +
                             $"warm {warm[^1]:0.0} s ({w.Cells.Count(x => x.Result.VmVerdict.Start?.Kind == StartKind.Warm)} of {w.Cells.Count} VMs warm)");
        }
        return (new SpeedRatio($"the default suite, {guest.Target} ({guest.Label}), {setup.Plan.Total} VM(s) at once",
            "the old path (every cell cold, every op and result over the line)", "the new path (cells warm, lean line)", cold, warm), failedCold, failedWarm);
    }

    /// <summary>
    /// What `kshim validate --repeat N` runs: the suite on every guest, N times, as one matrix; its wall time,
    /// on the new path (warm, lean line) or the old (cold, full line).
    /// </summary>
    public static async Task<(double Seconds, int Cases, int Failed, int NotReproduced)> MatrixWallAsync(IReadOnlyList<IGuestUnderTest> guests,
        IReadOnlyList<Scenario> suite, MatrixSetup setup, int repeat, bool warmStarts, CancellationToken ct = default)
    {
        var m = await setup.Runner(null, null, warmStarts: warmStarts, line: warmStarts ? LineUse.Lean : LineUse.Full)
            .RunAsync(guests, suite, repeat, ct).ConfigureAwait(false);
        // A reproduction that does not form on a patched kernel is what a fix looks like, not a failure.
        return (m.Wall.TotalSeconds, m.Cases.Count,
            m.Cases.Count(r => !r.Verdict.IsSuccess && r.Verdict.Kind != VerdictKind.NotReproduced),
            m.Cases.Count(r => r.Verdict.Kind == VerdictKind.NotReproduced));
    }
}
