using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Validation;

/// <summary>
/// A measured value of a case that `kshim validate` compares exactly
/// between kernels; a difference makes the case CHANGED, with both values.
/// <see cref="How"/> says when the figure is not a direct measurement.
/// </summary>
public sealed record ComparedMetric(string Name, Func<CaseMetrics, long?> Value, string? How = null)
{
    public string Label => How is null ? Name : $"{Name} ({How})";

    /// <summary>
    /// Every compared value.  Entry counts, merges and clips come from the
    /// entries around each call; allocations under the lock from the map's
    /// statistics, which on a kernel the module measures from the kernel's
    /// own entry accounting (native/kmod/README.md) and infers from the clips
    /// only where a call's window was disturbed or the kernel lacks the
    /// counters (each op's result says which).
    /// </summary>
    public static IReadOnlyList<ComparedMetric> All { get; } =
    [
        new("entries", m => m.Entries),
        new("peak entries", m => m.PeakEntries),
        new("merges", m => m.Merges),
        new("clips", m => m.Clips),
        new("allocations under the map lock", m => m.AllocsLocked, "measured on a kernel where its accounting allowed, else inferred from clips; modelled on the model"),
    ];
}
