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
    /// entries around each call; allocations under the lock are inferred
    /// from the clips on a kernel (a module cannot hook uvm_mapent_alloc).
    /// A counter measured in the kernel belongs here as one more line.
    /// </summary>
    public static IReadOnlyList<ComparedMetric> All { get; } =
    [
        new("entries", m => m.Entries),
        new("peak entries", m => m.PeakEntries),
        new("merges", m => m.Merges),
        new("clips", m => m.Clips),
        new("allocations under the map lock", m => m.AllocsLocked, "inferred from clips on a kernel, modelled on the model"),
    ];
}
