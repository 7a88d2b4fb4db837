namespace KernelShim.Harness.Scenarios;

/// <summary>
/// One action of a case, with what it must produce.  Addresses and sizes
/// are in pages, so a scenario means the same on any page size.
/// </summary>
public abstract record Step(SourceLine Source)
{
    /// <summary>Expected errno name ("ENOMEM"), or "none"; unset means success expected.</summary>
    public PerPolicy<string>? Error { get; init; }
    /// <summary>Entries in the map after the step.</summary>
    public PerPolicy<long>? Entries { get; init; }
}

/// <summary>uvm_map of <see cref="Pages"/> pages: fixed at <see cref="At"/>, or first fit from <see cref="Hint"/>.</summary>
public sealed record MapStep(SourceLine Source, long? At, long Hint, long Pages, uint Prot, bool NoMerge) : Step(Source)
{
    public PerPolicy<string>? Outcome { get; init; }
    public PerPolicy<long>? Placed { get; init; }
}

/// <summary>uvm_unmap of pages [From, To).</summary>
public sealed record UnmapStep(SourceLine Source, long From, long To) : Step(Source)
{
    public PerPolicy<long>? Clips { get; init; }
    public PerPolicy<long>? AllocsLocked { get; init; }
}

/// <summary>uvm_map_lookup_entry of page <see cref="At"/>.</summary>
public sealed record LookupStep(SourceLine Source, long At) : Step(Source)
{
    public PerPolicy<bool>? Found { get; init; }
    public PerPolicy<(long Start, long End)>? Entry { get; init; }
}

/// <summary>The exact entry list, as [start, end) page pairs.</summary>
public sealed record EntriesStep(SourceLine Source, PerPolicy<IReadOnlyList<(long Start, long End)>> Expected) : Step(Source);

/// <summary>Counter expectations against UVMSHIM_IOC_STATS.</summary>
public sealed record StatsStep(SourceLine Source, IReadOnlyDictionary<string, PerPolicy<long>> Counters) : Step(Source);

/// <summary>The PR 24039 cycle on a fresh private map (the case's map is not used).</summary>
public sealed record CycleStep(SourceLine Source, long Pages, uint BoundMs, uint HoldMs, bool Recover) : Step(Source)
{
    public PerPolicy<string>? Verdict { get; init; }
}

/// <summary>
/// A seeded random op script.  On the model it checks invariants; on
/// another target it also runs on the model and compares entry lists exactly.
/// </summary>
public sealed record RandomStep(SourceLine Source, int Seed, int Ops, long MaxPages) : Step(Source);

/// <summary>N allocations, then frees of a seeded random share of them: fragmentation metrics.</summary>
public sealed record FragmentStep(SourceLine Source, int Allocations, double FreeShare, int Seed, long Pages) : Step(Source);

/// <summary>Concurrent kernel threads mapping and unmapping.</summary>
public sealed record StressStep(SourceLine Source, uint Threads, uint DurationMs, long MaxPages) : Step(Source);
