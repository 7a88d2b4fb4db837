using KernelShim.Bindings;

namespace KernelShim.Harness.Devices;

/// <summary>Names of the NetBSD errno values the ABI uses (UVMSHIM_E*).</summary>
public static class Errno
{
    private static readonly Dictionary<int, string> Names = typeof(UvmshimIoctl)
        .GetFields()
        .Where(f => f.IsLiteral && System.Text.RegularExpressions.Regex.IsMatch(f.Name, "^UVMSHIM_E[A-Z0-9]+$"))
        .ToDictionary(f => Convert.ToInt32(f.GetRawConstantValue()), f => f.Name["UVMSHIM_".Length..]);

    public static string Name(int errno) =>
        errno == 0 ? "OK" : Names.TryGetValue(errno, out var n) ? n : $"errno {errno}";
}
