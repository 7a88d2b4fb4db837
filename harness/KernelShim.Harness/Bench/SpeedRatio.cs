namespace KernelShim.Harness.Bench;

/// <summary>
/// One side-by-side measurement: the old path's seconds against the new path's, measured in the
/// same run; the ratio is of the medians.
/// </summary>
public sealed record SpeedRatio(string What, string Old, string New, IReadOnlyList<double> OldSeconds, IReadOnlyList<double> NewSeconds)
{
    public double OldMedian => Median(OldSeconds);
    public double NewMedian => Median(NewSeconds);
    /// <summary>How many times faster the new path is (old median over new median).</summary>
    public double Factor => NewMedian > 0 ? OldMedian / NewMedian : double.NaN;

    /// <summary>E.g. "start to READY, NetBSD 10.99.12: warm x3.10 faster than cold (medians 1.52 s against 4.71 s, 5 runs each)".</summary>
    public string Line =>
        $"{What}: {New} x{Factor:0.00} faster than {Old} (medians {NewMedian:0.00} s against {OldMedian:0.00} s, " +
        $"{OldSeconds.Count}/{NewSeconds.Count} run(s))";

    public static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        if (s.Length == 0) return double.NaN;
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
