using KernelShim.Harness.Verdicts;

namespace KernelShim.Harness.Scenarios;

/// <summary>One case run under one policy on one target.</summary>
public sealed record CaseResult(string Scenario, string Case, string Policy, string Target, Verdict Verdict, CaseMetrics Metrics)
{
    /// <summary>"merge/increasing[nomerge]": the id reports and test filters use.</summary>
    public string Id => $"{Scenario}/{Case}[{Policy}]";

    /// <summary>The matrix row it ran in (the kernel's label), when the run was a matrix.</summary>
    public string? Kernel { get; init; }

    /// <summary>The Docker endpoint whose VM ran it, when it ran in one.</summary>
    public string? Endpoint { get; init; }

    /// <summary>"cold" or "warm": how the VM that ran it started (null: no VM).</summary>
    public string? Start { get; init; }

    /// <summary>Which repeat of the suite (0 for the first).</summary>
    public int Repeat { get; init; }

    /// <summary>What the case means under this policy: a requirement, or the reproduction of <see cref="Bug"/>.</summary>
    public CaseIntent Intent { get; init; }

    /// <summary>The bug a reproduction case forms ("PR kern/24039").</summary>
    public string? Bug { get; init; }

    /// <summary>True when a reproduction case passed: the bug formed.</summary>
    public bool Reproduced => Intent == CaseIntent.Reproduction && Verdict.IsSuccess;

    /// <summary>The verdict as reports print it: PASSED, REPRODUCED, NOT REPRODUCED, FAILED, PANIC, ...</summary>
    public string Word => Reproduced ? "REPRODUCED" : Verdict.Word(Verdict.Kind);
}

/// <summary>What a case measured, for tables, charts and A/B comparison.</summary>
public sealed record CaseMetrics
{
    public long Entries { get; init; }
    public long PeakEntries { get; init; }
    public long Merges { get; init; }
    public long Clips { get; init; }
    /// <summary>Map-entry allocations of the case's map (stats entry_allocs), before or under the lock.</summary>
    public long Allocs { get; init; }
    public long AllocsLocked { get; init; }
    /// <summary>Map entries freed (stats entry_frees): removed entries, unused spares, a bi-merge's absorbed entry.</summary>
    public long Frees { get; init; }
    public long Maps { get; init; }
    public long Unmaps { get; init; }
    /// <summary>True when a cycle step reported DEADLOCK.</summary>
    public bool? Deadlock { get; init; }
    /// <summary>Entries after each op of a fragment or random step (sampled), for the entries-over-time chart.</summary>
    public IReadOnlyList<long> EntriesOverTime { get; init; } = [];
    /// <summary>(allocations made, live entries, mean ns per map op, mean ns per lookup) at sampled sizes.</summary>
    public IReadOnlyList<LatencyPoint> Latency { get; init; } = [];
    /// <summary>Total time spent inside the target's UVM calls.</summary>
    public double TargetMilliseconds { get; init; }
}

public sealed record LatencyPoint(long Allocations, long Entries, double MapNs, double LookupNs);
