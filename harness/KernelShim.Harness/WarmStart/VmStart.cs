namespace KernelShim.Harness.WarmStart;

/// <summary>Which start a VM had and why, e.g. "cold (no saved state yet; saved as 3fa1... for later cells)".</summary>
public sealed record VmStart(StartKind Kind, string Detail)
{
    public static VmStart Cold(string why) => new(StartKind.Cold, why);
    public static VmStart Warm(string detail) => new(StartKind.Warm, detail);

    /// <summary>"cold" or "warm": what tables show.</summary>
    public string Word => Kind == StartKind.Warm ? "warm" : "cold";

    public override string ToString() => $"{Word} ({Detail})";
}
