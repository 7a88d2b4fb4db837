namespace KernelShim.Harness.NetBsd;

/// <summary>
/// One kernel structure the module embeds: its size as the sys tree compiles
/// it, and the size of an object of that type in the kernel (null when the
/// kernel has no such symbol, or more than one of different sizes).
/// </summary>
public sealed record LayoutCheck(string Type, string KernelSymbol, ulong SysSize, ulong? KernelSize)
{
    public bool Matches => KernelSize is null || KernelSize == SysSize;

    public override string ToString() => KernelSize is { } k
        ? $"{Type} {SysSize} bytes, kernel's {KernelSymbol} {k}"
        : $"{Type} {SysSize} bytes, kernel has no {KernelSymbol} to compare";
}

/// <summary>
/// Checks, before a kernel is booted, that the sys tree lays out the kernel
/// structures the module embeds as the kernel does: version numbers cannot
/// tell a patched struct vm_map from the stock one.  native/kmod/probe/layout.c
/// is compiled with the module's flags against the sys tree (make -C
/// native/kmod layout); each of its kshim_layout_&lt;symbol&gt; objects is
/// compared with the kernel's object &lt;symbol&gt; by st_size.
/// </summary>
public static class KernelLayout
{
    private const string Prefix = "kshim_layout_";
    private const string TypePrefix = "kshim_layout_type_";

    /// <summary>Throws <see cref="NetBsdInputException"/> when a size differs; notes what could not be compared.</summary>
    public static IReadOnlyList<LayoutCheck> CheckMatches(KernelInfo kernel, SysTree sys, Action<string>? progress = null)
    {
        var dir = Directory.CreateTempSubdirectory("kshim-layout-").FullName;
        try
        {
            GuestBuild.Run(RepoPaths.Root, "make", ["-s", "-C", "native/kmod", "layout", $"NETBSD_SYS={sys.Path}", $"BUILD={dir}"]);
            var checks = Compare(Path.Combine(dir, "layout.o"), kernel.Path);
            if (checks.FirstOrDefault(c => !c.Matches) is { } bad)
                throw new NetBsdInputException(
                    $"kernel and sys tree do not match: {bad.Type} is {bad.SysSize} bytes as {sys.Path} compiles it, but {bad.KernelSize} in the kernel " +
                    $"({bad.KernelSymbol} in {kernel.Path}): the kernel was built from other headers; give it the sys tree it was built from");
            progress?.Invoke($"layout: {string.Join("; ", checks.Where(c => c.KernelSize is not null).Select(c => $"{c.Type} {c.SysSize} bytes"))} as in the kernel");
            foreach (var c in checks.Where(c => c.KernelSize is null))
                progress?.Invoke($"layout: not checked: {c.Type} ({c.SysSize} bytes here): the kernel has no single {c.KernelSymbol} object to compare with");
            return checks;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Each probe object of <paramref name="probeObject"/> against the kernel's object of the same name.</summary>
    public static IReadOnlyList<LayoutCheck> Compare(string probeObject, string kernelElf)
    {
        var probe = ElfObjects.Read(probeObject, n => n.StartsWith(Prefix, StringComparison.Ordinal));
        var types = probe.Where(o => o.Name.StartsWith(TypePrefix, StringComparison.Ordinal))
            .ToDictionary(o => o.Name[TypePrefix.Length..], o => o.AsString() ?? "?");
        var sizes = probe.Where(o => !o.Name.StartsWith(TypePrefix, StringComparison.Ordinal))
            .ToDictionary(o => o.Name[Prefix.Length..], o => o.Size);
        if (sizes.Count == 0) throw new GuestBuildException($"{probeObject} holds no {Prefix}* object");
        var kernel = ElfObjects.Read(kernelElf, sizes.ContainsKey).GroupBy(o => o.Name).ToDictionary(g => g.Key, g => g.Select(o => o.Size).Distinct().ToList());
        return [.. sizes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new LayoutCheck(
            types.GetValueOrDefault(kv.Key, "?"), kv.Key, kv.Value,
            kernel.TryGetValue(kv.Key, out var ks) && ks.Count == 1 ? ks[0] : null))];
    }
}
