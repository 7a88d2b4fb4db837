using System.Text.RegularExpressions;

namespace KernelShim.Harness.NetBsd;

/// <summary>A NetBSD sys/ tree: the headers the module and the agent are built against.</summary>
public sealed partial record SysTree(string Path, NetBsdVersion Version)
{
    [GeneratedRegex(@"^#define\s+__NetBSD_Version__\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex VersionLine();

    /// <summary>Headers the module and the agent include that every NetBSD sys tree since the 2000s has: checked so that a partial tree is an input error, not a failed build.</summary>
    public static readonly string[] RequiredHeaders = ["sys/systm.h", "sys/syscall.h", "sys/module.h", "uvm/uvm.h", "uvm/uvm_map.h"];

    /// <summary>Accepts the sys directory itself (holding sys/param.h) or its parent src/ directory.</summary>
    public static SysTree Open(string path)
    {
        foreach (var dir in new[] { path, System.IO.Path.Combine(path, "sys") })
        {
            var param = System.IO.Path.Combine(dir, "sys", "param.h");
            if (!File.Exists(param)) continue;
            var m = VersionLine().Match(File.ReadAllText(param));
            if (!m.Success) throw new NetBsdInputException($"{param} defines no __NetBSD_Version__");
            var missing = RequiredHeaders.Where(h => !File.Exists(System.IO.Path.Combine(dir, h))).ToList();
            if (missing.Count > 0)
                throw new NetBsdInputException($"{dir} is an incomplete sys tree: no {string.Join(", ", missing)} (the module and the agent include them; give the whole sys/ of the kernel's source, or its syssrc.tgz)");
            return new SysTree(System.IO.Path.GetFullPath(dir), new NetBsdVersion(int.Parse(m.Groups[1].Value)));
        }
        throw new NetBsdInputException($"{path} is not a NetBSD sys tree (no sys/param.h in it or in {path}/sys)");
    }

    /// <summary>Refuse a kernel whose module loader would reject what these headers build.</summary>
    public void CheckMatches(KernelInfo kernel)
    {
        if (kernel.Version.WhyModuleRejected(Version) is { } why)
            throw new NetBsdInputException($"kernel and sys tree do not match: {why}");
    }
}
