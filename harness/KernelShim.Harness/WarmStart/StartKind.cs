namespace KernelShim.Harness.WarmStart;

/// <summary>How a VM got to its agent's READY.</summary>
public enum StartKind
{
    /// <summary>Booted from power-on: firmware, boot loader, kernel, agent.</summary>
    Cold,
    /// <summary>Loaded from a VM state saved at READY by an earlier cold boot of the same inputs.</summary>
    Warm,
}
