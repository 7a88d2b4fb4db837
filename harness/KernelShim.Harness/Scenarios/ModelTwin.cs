using KernelShim.Bindings;

namespace KernelShim.Harness.Scenarios;

/// <summary>
/// The model policy that must answer a random script exactly as a kernel's
/// test map does, op by op (errors, outcomes, placements, entry lists and
/// entry counts).  A kernel map's policy is the kernel itself (`default`)
/// or `nomerge` (every mapping UVM_FLAG_NOMERGE):
///
/// - a stock kernel's `default` is `modern` (NetBSD 6+: the entry allocated
///   under the lock when the mapping does not merge, clips under the lock);
/// - a kernel that parks spare entries (Thorpe's patch, seen as
///   UVMSHIM_FEAT_PARKED_ENTRIES) is `thorpe`;
/// - `nomerge` on a stock kernel is the model's `nomerge`; on a parking
///   kernel it is `thorpe` with every map op NOMERGE, because thorpe.diff
///   allocates a kernel map's entry before the lock whatever the flags
///   (the model's `nomerge` allocates it under the lock, as 1.153 did).
/// </summary>
public static class ModelTwin
{
    /// <summary>The model policy, and the flags to add to every map op.</summary>
    public static (uvmshim_policy Policy, uint MapFlags) For(string policy, bool parks) => (policy, parks) switch
    {
        ("default", false) => (uvmshim_policy.UVMSHIM_POLICY_MODERN, 0),
        ("default", true) => (uvmshim_policy.UVMSHIM_POLICY_THORPE, 0),
        ("nomerge", true) => (uvmshim_policy.UVMSHIM_POLICY_THORPE, UvmshimIoctl.UVMSHIM_MAPF_NOMERGE),
        _ => (PolicyNames.Parse(policy), 0),
    };

    /// <summary>The ops as the twin must run them: <paramref name="mapFlags"/> added to every map op.</summary>
    public static uvmshim_op[] Ops(uvmshim_op[] ops, uint mapFlags) =>
        mapFlags == 0 ? ops
            : ops.Select(o => o.kind == (uint)uvmshim_op_kind.UVMSHIM_OP_MAP ? o with { flags = o.flags | mapFlags } : o).ToArray();
}
