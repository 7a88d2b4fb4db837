using System.Security.Cryptography;

namespace KernelShim.Harness.NetBsd;

/// <summary>
/// The content of every header outside the repository that a guest build
/// compiled (read from the compiler's -MD dependency files), as SHA-256 per
/// path.  The guest cache key hashes the sys tree's path, version and
/// param.h only (hashing a whole tree on every run would be slow); the
/// manifest makes a cached build stand for the headers' content: edit
/// uvm_map.h in place and the cached module is rebuilt.
/// </summary>
public static class HeaderManifest
{
    public const string FileName = "headers.sha256";

    /// <summary>Writes the manifest of a build made in <paramref name="buildDir"/>, naming paths as they will be once it is moved to <paramref name="finalDir"/>.</summary>
    public static int Write(string buildDir, string finalDir, string repoRoot)
    {
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dep in Directory.GetFiles(buildDir, "*.d", SearchOption.AllDirectories))
            foreach (var token in File.ReadAllText(dep).Replace("\\\n", " ").Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.EndsWith(':') || !token.EndsWith(".h", StringComparison.Ordinal) || !Path.IsPathRooted(token)) continue;
                var full = token;   // as the compiler named it: ".." after a symbolic link is not lexical
                if (full.StartsWith(repoRoot + "/", StringComparison.Ordinal) || !File.Exists(full)) continue;
                var named = full.StartsWith(buildDir + "/", StringComparison.Ordinal) ? finalDir + full[buildDir.Length..] : full;
                lines.Add($"{Hash(full)}  {named}");
            }
        File.WriteAllLines(Path.Combine(buildDir, FileName), lines);
        return lines.Count;
    }

    /// <summary>Null when every header still has its recorded content (or the build has no manifest), else the first that changed.</summary>
    public static string? FirstChanged(string dir)
    {
        var manifest = Path.Combine(dir, FileName);
        if (!File.Exists(manifest)) return null;
        foreach (var line in File.ReadLines(manifest))
        {
            var (hash, path) = (line[..64], line[66..]);
            if (!File.Exists(path)) return $"{path} is gone";
            if (Hash(path) != hash) return $"{path} changed";
        }
        return null;
    }

    private static string Hash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
