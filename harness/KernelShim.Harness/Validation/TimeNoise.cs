namespace KernelShim.Harness.Validation;

/// <summary>
/// Noise in time measurements, from repeats: a side's relative spread,
/// (max - min) / median.  With fewer than <see cref="MinRepeats"/> runs a
/// spread says nothing (one run has none at all), so no timing claim is made.
/// </summary>
public static class TimeNoise
{
    public const int MinRepeats = 3;

    /// <summary>Below this share a change is not reported even when the spread is smaller.</summary>
    public const double Floor = 0.10;

    /// <summary>Medians below this (ms) are too small to compare.</summary>
    public const double MinMilliseconds = 0.05;

    public static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count == 0 ? 0 : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    public static double Spread(IReadOnlyList<double> xs)
    {
        double m = Median(xs);
        return m <= 0 || xs.Count < 2 ? 0 : (xs.Max() - xs.Min()) / m;
    }
}
