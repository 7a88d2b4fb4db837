namespace KernelShim.Harness.NetBsd;

/// <summary>
/// A __NetBSD_Version__ value, MMmmrrpp00: 799000400 is 7.99.4,
/// 1000000000 is 10.0; -current's patch number runs past 99 into the rr
/// digits (999010000 is 9.99.100).  -current (minor 99) requires an exact match from
/// modules; a release accepts modules of the same major.minor (PR24039.md).
/// </summary>
public readonly record struct NetBsdVersion(int Value)
{
    public int Major => Value / 100_000_000;
    public int Minor => Value / 1_000_000 % 100;
    public int Patch => Value / 100 % 10_000;
    public bool IsCurrent => Minor == 99;

    public override string ToString() => Patch != 0 || IsCurrent ? $"{Major}.{Minor}.{Patch}" : $"{Major}.{Minor}";

    /// <summary>Null when a module built for <paramref name="module"/> loads on this kernel, else why not.</summary>
    public string? WhyModuleRejected(NetBsdVersion module)
    {
        if (IsCurrent)
            return module.Value == Value ? null
                : $"a -current kernel ({this}, {Value}) loads only modules of exactly its version; the headers are {module} ({module.Value})";
        return module.Major == Major && module.Minor == Minor ? null
            : $"the kernel is NetBSD {this} ({Value}) but the headers are {module} ({module.Value}): a release loads only modules of its own major.minor";
    }
}
