namespace KernelShim.Harness.Scenarios;

/// <summary>A scenario file: a family of cases that share a map size and policies.</summary>
public sealed record Scenario(
    string Name,
    string Description,
    string Path,
    ulong MapPages,
    IReadOnlyList<string> Policies,
    IReadOnlyList<ScenarioCase> Cases);

/// <summary>One case: steps run in order on a fresh map.</summary>
public sealed record ScenarioCase(string Name, int Line, IReadOnlyList<Step> Steps)
{
    /// <summary>Tags such as "slow" or "kernel-only" that filter which runs include it.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Per policy: requirement (unset: everywhere) or reproduction of <see cref="Bug"/>.</summary>
    public PerPolicy<CaseIntent>? Intent { get; init; }

    /// <summary>The bug a reproduction forms ("PR kern/24039"); set when some policy reproduces one.</summary>
    public string? Bug { get; init; }

    public CaseIntent IntentUnder(string policy) =>
        Intent is { } i && i.TryGet(policy, out var v) ? v : CaseIntent.Requirement;
}

/// <summary>Where a step came from, for error messages.</summary>
public sealed record SourceLine(string File, int Line)
{
    public override string ToString() => $"{System.IO.Path.GetFileName(File)}:{Line}";
}
