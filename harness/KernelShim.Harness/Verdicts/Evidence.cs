namespace KernelShim.Harness.Verdicts;

/// <summary>One named piece of evidence: a ddb transcript, a lock holder, a file.</summary>
public sealed record Evidence(string Name, string Text, string? File = null);
