using KernelShim.Bindings;

namespace KernelShim.Harness.Scenarios;

/// <summary>
/// The policy names scenario files use, and the classes they belong to:
/// "merging" (every policy that merges) and "nomerge".
/// </summary>
public static class PolicyNames
{
    private static readonly Dictionary<string, uvmshim_policy> ByName = new(StringComparer.Ordinal)
    {
        ["default"] = uvmshim_policy.UVMSHIM_POLICY_DEFAULT,
        ["merge-alloc"] = uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC,
        ["nomerge"] = uvmshim_policy.UVMSHIM_POLICY_NOMERGE,
        ["merge-reserve"] = uvmshim_policy.UVMSHIM_POLICY_MERGE_RESERVE,
        ["modern"] = uvmshim_policy.UVMSHIM_POLICY_MODERN,
        ["thorpe"] = uvmshim_policy.UVMSHIM_POLICY_THORPE,
    };

    /// <summary>Every policy the model implements, in history order (thorpe: the 2004 proposal as thorpe.diff implements it on 10.99.12).</summary>
    public static IReadOnlyList<string> ModelPolicies { get; } = ["merge-alloc", "nomerge", "merge-reserve", "modern", "thorpe"];

    /// <summary>Every name a scenario may use, for error messages.</summary>
    public static string KnownList => string.Join(", ", ByName.Keys);

    /// <summary>What a kernel target implements: its own behaviour with merging allowed, and 1.153's.</summary>
    public static IReadOnlyList<string> KernelPolicies { get; } = ["default", "nomerge"];

    public const string Merging = "merging";

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    public static bool IsKnownKey(string name) => IsKnown(name) || name is Merging or "*";

    public static uvmshim_policy Parse(string name) => ByName[name];

    public static string Name(uvmshim_policy p) => ByName.First(kv => kv.Value == p).Key;

    /// <summary>The class a policy falls in, for expectations written per class.</summary>
    public static string ClassOf(string policy) => policy == "nomerge" ? "nomerge" : Merging;
}
