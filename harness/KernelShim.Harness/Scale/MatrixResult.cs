using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Scale;

/// <summary>Every cell of a matrix run, where it ran, and how much the slots overlapped.</summary>
public sealed record MatrixResult(IReadOnlyList<Placement<MatrixJob, MatrixCell>> Cells, TimeSpan Wall)
{
    /// <summary>Every case of every cell, tagged with its kernel and endpoint.</summary>
    public IReadOnlyList<CaseResult> Cases => [.. Cells.SelectMany(c => c.Result.Cases)];

    /// <summary>The cases of one guest, one list per repeat (what <see cref="Validation.SuiteComparison"/> takes).</summary>
    public IReadOnlyList<IReadOnlyList<CaseResult>> RepeatsOf(IGuestUnderTest guest) =>
        [.. Cells.Where(c => c.Job.Guest == guest)
                 .GroupBy(c => c.Job.Repeat)
                 .OrderBy(g => g.Key)
                 .Select(g => (IReadOnlyList<CaseResult>)[.. g.SelectMany(c => c.Result.Cases)])];

    /// <summary>Cells that had to wait for a slot of this machine held by another kshim process.</summary>
    public int WaitedForMachine { get; init; }

    /// <summary>The most cells that were running at the same moment.</summary>
    public int PeakConcurrency
    {
        get
        {
            var events = Cells.Where(c => c.Endpoint is not null)
                .SelectMany(c => new[] { (At: c.Started, Delta: 1), (At: c.Ended, Delta: -1) })
                .OrderBy(e => e.At).ThenBy(e => e.Delta);
            int now = 0, peak = 0;
            foreach (var e in events) peak = Math.Max(peak, now += e.Delta);
            return peak;
        }
    }

    /// <summary>Sum of the cells' VM time over the wall time: how much running in parallel saved.</summary>
    public double Speedup => Wall.TotalSeconds <= 0 ? 1 : Cells.Sum(c => c.Duration.TotalSeconds) / Wall.TotalSeconds;
}
