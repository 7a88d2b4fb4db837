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
}

/// <summary>What a case measured, for tables, charts and A/B comparison.</summary>
public sealed record CaseMetrics
{
    public long Entries { get; init; }
    public long PeakEntries { get; init; }
    public long Merges { get; init; }
    public long Clips { get; init; }
    public long AllocsLocked { get; init; }
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
