using System.Reflection;
using System.Runtime.InteropServices;
using KernelShim.Bindings;

namespace KernelShim.Harness.Devices;

/// <summary>
/// Finds libkshim_model.so: next to the assembly, in $KSHIM_NATIVE_DIR, or
/// in the repository's build/native (where `make -C native` puts it).
/// </summary>
internal static class NativeLibraries
{
    private static int _installed;

    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(KshimModel).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "kshim_model") return IntPtr.Zero;
        foreach (var dir in Candidates())
        {
            var file = Path.Combine(dir, "libkshim_model.so");
            if (File.Exists(file)) return NativeLibrary.Load(file);
        }
        throw new DllNotFoundException(
            "libkshim_model.so not found; build it with `make -C native` (searched: " +
            string.Join(", ", Candidates()) + ")");
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("KSHIM_NATIVE_DIR") is { Length: > 0 } env) yield return env;
        yield return AppContext.BaseDirectory;
        if (RepoPaths.TryFindRoot() is { } root) yield return Path.Combine(root, "build", "native");
    }
}
