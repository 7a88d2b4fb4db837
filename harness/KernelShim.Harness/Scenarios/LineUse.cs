namespace KernelShim.Harness.Scenarios;

/// <summary>
/// How much a scenario moves over a guest's serial line, whose host-to-guest
/// direction carries about 20-25 KiB/s under TCG.  The verdicts are the same
/// either way; only the bytes and the time differ.
/// </summary>
public enum LineUse
{
    /// <summary>
    /// The default: a target makes random scripts from their seed (GENERATE) and
    /// answers with digests (its results, its entries) that are compared with the
    /// model's; equal ops go once (REPEAT, AT) and come back brief.
    /// </summary>
    Lean,

    /// <summary>
    /// Every op sent and every result and entry brought back, as before ABI 3:
    /// the bench's old path, and a way to look at every result.
    /// </summary>
    Full,
}
