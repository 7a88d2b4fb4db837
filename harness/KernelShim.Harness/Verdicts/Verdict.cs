namespace KernelShim.Harness.Verdicts;

/// <summary>The outcome of one run, with what backs it.</summary>
public sealed record Verdict(VerdictKind Kind, string Summary)
{
    /// <summary>The last console lines (always present for VM runs).</summary>
    public string ConsoleTail { get; init; } = "";
    public IReadOnlyList<Evidence> Evidence { get; init; } = [];
    /// <summary>Where it ran: "model", "NetBSD 7.99.4 under QEMU (tcg: ...)".</summary>
    public string Target { get; init; } = "";
    public TimeSpan Duration { get; init; }
    /// <summary>How the VM got to READY (cold boot or a saved state), for VM runs.</summary>
    public WarmStart.VmStart? Start { get; init; }
    /// <summary>From the run's start (QEMU and its container included) to the agent's READY; null when it never came.</summary>
    public TimeSpan? ReadyAfter { get; init; }

    public bool IsSuccess => Kind == VerdictKind.Passed;

    public static Verdict Passed(string summary) => new(VerdictKind.Passed, summary);
    public static Verdict Failed(string summary) => new(VerdictKind.Failed, summary);

    public override string ToString() => $"{Word(Kind)}: {Summary}";

    /// <summary>How a kind is printed: PASSED, NOT REPRODUCED, INFRASTRUCTURE ERROR.</summary>
    public static string Word(VerdictKind kind) => kind switch
    {
        VerdictKind.NotReproduced => "NOT REPRODUCED",
        VerdictKind.NoOutput => "NO OUTPUT",
        VerdictKind.LostConnection => "LOST CONNECTION",
        VerdictKind.InfrastructureError => "INFRASTRUCTURE ERROR",
        _ => kind.ToString().ToUpperInvariant(),
    };
}
