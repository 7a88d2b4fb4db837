using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Verdicts;

namespace KernelShim.Harness.Validation;

/// <summary>
/// A/B comparison of repeated suite runs (`kshim validate`): each case gets a
/// <see cref="PatchVerdict"/>, the suite the worst of them.  A case's intent
/// decides what a change in its outcome means: a requirement that stops
/// passing is a REGRESSION; a reproduction whose bug stops forming is FIXED,
/// one whose bug starts forming a REGRESSION.  A panic, deadlock or hang
/// that appears is a REGRESSION whatever the intent.  Measured values
/// (<see cref="ComparedMetric.All"/>) are deterministic and compared exactly;
/// time in the target only with at least <see cref="TimeNoise.MinRepeats"/>
/// runs per kernel, and only beyond the case's own noise.
/// </summary>
public sealed record SuiteComparison(IReadOnlyList<CaseComparison> Cases, int Repeats, bool TimingCompared, double NoiseFloor)
{
    public PatchVerdict Overall => Cases.Count == 0 ? PatchVerdict.Same : Cases.Max(c => c.Verdict);

    public bool Regressed => Overall == PatchVerdict.Regression;

    public IEnumerable<CaseComparison> With(PatchVerdict v) => Cases.Where(c => c.Verdict == v);

    /// <summary>Why time was or was not compared, in one line.</summary>
    public string TimingNote => TimingCompared
        ? $"time in the target compared against each case's noise (the spread of {Repeats} runs per kernel; largest {NoiseFloor:0%}), and at least {TimeNoise.Floor:0%}"
        : $"no timing claims: {Repeats} run(s) per kernel, and noise can only be measured from {TimeNoise.MinRepeats} or more (--repeat {TimeNoise.MinRepeats})";

    private static readonly VerdictKind[] Ran = [VerdictKind.Passed, VerdictKind.Failed, VerdictKind.NotReproduced];

    /// <summary>A verdict that says the VM or kernel broke: panic, deadlock, hang, silence, lost agent.</summary>
    public static bool Broke(CaseResult r) => r.Verdict.Kind is VerdictKind.Panic or VerdictKind.Deadlock or VerdictKind.Timeout
        or VerdictKind.NoOutput or VerdictKind.LostConnection;

    public static SuiteComparison Compare(IReadOnlyList<IReadOnlyList<CaseResult>> baseline, IReadOnlyList<IReadOnlyList<CaseResult>> patched)
    {
        var b = baseline.SelectMany(r => r).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.ToList());
        var p = patched.SelectMany(r => r).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.ToList());
        int repeats = Math.Min(baseline.Count, patched.Count);
        bool timing = repeats >= TimeNoise.MinRepeats;
        var cases = new List<CaseComparison>();
        double worstNoise = 0;
        foreach (var id in b.Keys.Union(p.Keys).Order(StringComparer.Ordinal))
        {
            if (!b.TryGetValue(id, out var bs)) { cases.Add(new(id, PatchVerdict.Changed, "-", Words(p[id]), ["only in the patched run"])); continue; }
            if (!p.TryGetValue(id, out var ps)) { cases.Add(new(id, PatchVerdict.Changed, Words(bs), "-", ["only in the baseline run"])); continue; }
            var (verdict, details) = Outcome(bs, ps);
            if (bs.FirstOrDefault(r => Ran.Contains(r.Verdict.Kind)) is { } b0 && ps.FirstOrDefault(r => Ran.Contains(r.Verdict.Kind)) is { } p0)
            {
                foreach (var m in ComparedMetric.All)
                    if (m.Value(b0.Metrics) is { } bv && m.Value(p0.Metrics) is { } pv && bv != pv)
                    {
                        details.Add($"{m.Label} {bv} -> {pv}");
                        verdict = Max(verdict, PatchVerdict.Changed);
                    }
                if (timing)
                {
                    if (TimeChange(bs, ps, out double noise) is { } t)
                    {
                        details.Add(t);
                        verdict = Max(verdict, PatchVerdict.Changed);
                    }
                    worstNoise = Math.Max(worstNoise, noise);
                }
            }
            cases.Add(new(id, verdict, Words(bs), Words(ps), details));
        }
        return new SuiteComparison(cases, repeats, timing, worstNoise);
    }

    /// <summary>What the change of outcome means, by the case's intent.</summary>
    private static (PatchVerdict, List<string>) Outcome(List<CaseResult> bs, List<CaseResult> ps)
    {
        bool bBroke = bs.Any(Broke), pBroke = ps.Any(Broke);
        if (pBroke && !bBroke)
        {
            var r = ps.First(Broke);
            return (PatchVerdict.Regression, [$"{r.Word} appears: {r.Verdict.Summary}"]);
        }
        if (bBroke && !pBroke) return (PatchVerdict.Fixed, [$"no longer {bs.First(Broke).Word}"]);
        if (bBroke && pBroke) return (PatchVerdict.Same, [$"{ps.First(Broke).Word} on both"]);

        bool bFailed = bs.Any(r => r.Verdict.Kind == VerdictKind.Failed), pFailed = ps.Any(r => r.Verdict.Kind == VerdictKind.Failed);
        if (pFailed && !bFailed) return (PatchVerdict.Regression, [$"newly failing: {ps.First(r => r.Verdict.Kind == VerdictKind.Failed).Verdict.Summary}"]);

        if (bs.Concat(ps).FirstOrDefault(r => r.Intent == CaseIntent.Reproduction) is { } repro)
        {
            var bug = repro.Bug ?? "the bug";
            int bRep = bs.Count(r => r.Reproduced), pRep = ps.Count(r => r.Reproduced);
            int pNot = ps.Count(r => r.Verdict.Kind == VerdictKind.NotReproduced), bNot = bs.Count(r => r.Verdict.Kind == VerdictKind.NotReproduced);
            if (bRep == bs.Count && pNot == ps.Count)
                return (PatchVerdict.Fixed, [$"{bug} no longer forms: reproduced in {bRep} of {bs.Count} baseline run(s), in none of {ps.Count} patched"]);
            if (bNot == bs.Count && pRep > 0)
                return (PatchVerdict.Regression, [$"{bug} appears: it forms in {pRep} of {ps.Count} patched run(s), in none of {bs.Count} baseline"]);
            if (bRep * ps.Count != pRep * bs.Count)
                return (PatchVerdict.Changed, [$"{bug} reproduced in {bRep} of {bs.Count} baseline run(s), {pRep} of {ps.Count} patched"]);
        }
        if (bFailed && !pFailed) return (PatchVerdict.Fixed, [$"now meets its requirement (baseline: {bs.First(r => r.Verdict.Kind == VerdictKind.Failed).Verdict.Summary})"]);
        if (bFailed && pFailed) return (PatchVerdict.Same, ["fails on both"]);
        return (PatchVerdict.Same, []);
    }

    private static string? TimeChange(List<CaseResult> bs, List<CaseResult> ps, out double noise)
    {
        var bt = bs.Where(r => Ran.Contains(r.Verdict.Kind)).Select(r => r.Metrics.TargetMilliseconds).ToList();
        var pt = ps.Where(r => Ran.Contains(r.Verdict.Kind)).Select(r => r.Metrics.TargetMilliseconds).ToList();
        noise = Math.Max(TimeNoise.Spread(bt), TimeNoise.Spread(pt));
        if (bt.Count < TimeNoise.MinRepeats || pt.Count < TimeNoise.MinRepeats) return null;
        double bm = TimeNoise.Median(bt), pm = TimeNoise.Median(pt);
        if (bm < TimeNoise.MinMilliseconds || Math.Abs(pm - bm) / bm <= Math.Max(noise, TimeNoise.Floor)) return null;
        return $"time in the target {bm:0.###} ms -> {pm:0.###} ms (medians of {bt.Count} and {pt.Count} runs, {(pm - bm) / bm:+0%;-0%}; noise {noise:0%})";
    }

    private static PatchVerdict Max(PatchVerdict a, PatchVerdict b) => a > b ? a : b;

    /// <summary>"REPRODUCED" when every run says so, else "PASSED x2, FAILED x1".</summary>
    private static string Words(List<CaseResult> rs)
    {
        var groups = rs.GroupBy(r => r.Word).ToList();
        return groups.Count == 1 ? groups[0].Key : string.Join(", ", groups.Select(g => $"{g.Key} x{g.Count()}"));
    }
}
