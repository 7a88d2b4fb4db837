namespace KernelShim.Harness.WarmStart;

/// <summary>A VM state could not be saved or restored; the run goes on (or falls back to a cold boot) and says so.</summary>
public sealed class WarmStartException(string message, Exception? inner = null) : Exception(message, inner);
