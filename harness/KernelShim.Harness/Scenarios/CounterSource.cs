using KernelShim.Bindings;

namespace KernelShim.Harness.Scenarios;

/// <summary>
/// Where the entry counters of one result came from, as its `counted` field
/// (UVMSHIM_CNT_*) says: a kernel's own accounting (measured), the entries
/// around the request (inferred), or the reference model's bookkeeping
/// (modelled).
/// </summary>
public readonly record struct CounterSource(uint Counted, bool Modelled)
{
    public static CounterSource For(uint counted, uvmshim_version version) =>
        new(counted, version.target == (uint)uvmshim_target.UVMSHIM_TARGET_MODEL ||
                     version.target == (uint)uvmshim_target.UVMSHIM_TARGET_TESTGUEST);

    /// <summary>"measured", "inferred" or "modelled" for one UVMSHIM_CNT_* bit.</summary>
    public string Of(uint bit) =>
        Modelled ? "modelled" : (Counted & bit) != 0 ? "measured" : "inferred";

    /// <summary>A measurement was attempted and found disturbed (the figures are inferred).</summary>
    public bool Disturbed => (Counted & UvmshimIoctl.UVMSHIM_CNT_DISTURBED) != 0;
}
