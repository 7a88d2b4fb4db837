namespace KernelShim.Harness.Scenarios;

/// <summary>How one case differs between a baseline and a patched kernel.</summary>
public sealed record CaseDiff(string Id, string Change, string Detail);

/// <summary>
/// A/B comparison of repeated suite runs (`kshim validate`).  Verdicts:
/// a case that passed every baseline run and fails a patched one is newly
/// failing (a regression).  Entry counts are deterministic and compared
/// exactly.  Time in the target is compared against noise: the relative
/// spread (max - min) / median seen across the repeats of each side; a
/// change counts only when it exceeds the larger spread and 10%.
/// </summary>
public sealed record SuiteComparison(IReadOnlyList<CaseDiff> Diffs, int Cases, double NoiseFloor)
{
    public IEnumerable<CaseDiff> NewlyFailing => Diffs.Where(d => d.Change == "newly failing");
    public bool Regressed => NewlyFailing.Any();

    public static SuiteComparison Compare(IReadOnlyList<IReadOnlyList<CaseResult>> baseline, IReadOnlyList<IReadOnlyList<CaseResult>> patched)
    {
        var b = baseline.SelectMany(r => r).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.ToList());
        var p = patched.SelectMany(r => r).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.ToList());
        var diffs = new List<CaseDiff>();
        double worstNoise = 0;
        foreach (var id in b.Keys.Union(p.Keys).Order(StringComparer.Ordinal))
        {
            if (!b.TryGetValue(id, out var bs)) { diffs.Add(new(id, "new case", "only in the patched run")); continue; }
            if (!p.TryGetValue(id, out var ps)) { diffs.Add(new(id, "missing case", "only in the baseline run")); continue; }
            bool bPass = bs.All(r => r.Verdict.IsSuccess), pPass = ps.All(r => r.Verdict.IsSuccess);
            if (bPass && !pPass)
                diffs.Add(new(id, "newly failing", ps.First(r => !r.Verdict.IsSuccess).Verdict.ToString()));
            else if (!bPass && pPass)
                diffs.Add(new(id, "newly passing", bs.First(r => !r.Verdict.IsSuccess).Verdict.ToString()));
            long be = bs[0].Metrics.Entries, pe = ps[0].Metrics.Entries;
            if (be != pe) diffs.Add(new(id, "entries changed", $"{be} -> {pe}"));
            var bt = bs.Select(r => r.Metrics.TargetMilliseconds).ToList();
            var pt = ps.Select(r => r.Metrics.TargetMilliseconds).ToList();
            double bm = Median(bt), pm = Median(pt);
            double noise = Math.Max(Spread(bt), Spread(pt));
            worstNoise = Math.Max(worstNoise, noise);
            if (bm > 0.05 && Math.Abs(pm - bm) / bm > Math.Max(noise, 0.10))
                diffs.Add(new(id, pm > bm ? "slower" : "faster",
                    $"{bm:0.###} ms -> {pm:0.###} ms in the target ({(pm - bm) / bm:+0%;-0%}; noise {noise:0%})"));
        }
        return new SuiteComparison(diffs, b.Count, worstNoise);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count == 0 ? 0 : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static double Spread(List<double> xs)
    {
        double m = Median(xs);
        return m <= 0 || xs.Count < 2 ? 0 : (xs.Max() - xs.Min()) / m;
    }
}
