namespace KernelShim.Harness.Validation;

/// <summary>
/// One case on the baseline and the patched kernel: its verdict, how it
/// ended on each side (the words of its runs, e.g. "REPRODUCED" or
/// "PASSED x2, FAILED"), and what moved, with both values.
/// </summary>
public sealed record CaseComparison(string Id, PatchVerdict Verdict, string Baseline, string Patched, IReadOnlyList<string> Details)
{
    public string Word => Verdict.ToString().ToUpperInvariant();

    public string Detail => Details.Count == 0 ? "" : string.Join("; ", Details);

    public override string ToString() => $"{Id}: {Word}: {Baseline} -> {Patched}{(Details.Count > 0 ? $" ({Detail})" : "")}";
}
