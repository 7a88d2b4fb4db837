using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace KernelShim.Harness.NetBsd;

/// <summary>
/// Builds the guest side for one (kernel, sys tree) pair, once: the agent
/// and the uvmshim module against the sys headers, the FFS micro root that
/// holds them, and a GRUB ISO for the kernel.  Results are cached under a
/// key hashed from every input (our sources, the headers' version file,
/// the kernel's bytes); a build goes to a temporary directory renamed into
/// place, so an interrupted build never looks finished.  The key names the
/// sys tree by path, version and param.h; the content of every header the
/// build read is recorded (<see cref="HeaderManifest"/>) and checked on reuse.
/// </summary>
public static class GuestBuild
{
    private static readonly string[] SourceDirs =
        ["native/include", "native/core", "native/proto", "native/libk", "native/agent", "native/kmod", "native/tools", "vm-images/microroot", "vm-images/grub"];

    /// <summary>The directories hashed into the cache key (a test checks that the makefiles reach no others).</summary>
    internal static IReadOnlyList<string> KeyedSourceDirs => SourceDirs;

    public static string DefaultCache =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "kshim");

    public static GuestArtifacts Ensure(KernelInfo kernel, SysTree sys, string cacheRoot, Action<string>? progress = null)
    {
        var root = RepoPaths.Root;
        var key = Key(root, kernel, sys);
        var dir = Path.Combine(cacheRoot, "guest", key);
        var artifacts = Artifacts(dir, key);
        if (File.Exists(Path.Combine(dir, ".complete")))
        {
            if (HeaderManifest.FirstChanged(dir) is not { } changed) return artifacts with { FromCache = true };
            progress?.Invoke($"the cached guest build {key} is stale ({changed}): rebuilding");
        }

        var tmp = $"{dir}.{Environment.ProcessId}.tmp";
        RemoveAbandonedBuilds(Path.GetDirectoryName(dir)!);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        try
        {
            return BuildInto(tmp, dir, key, kernel, sys, root, artifacts, progress);
        }
        catch
        {
            // A failed build leaves nothing half-made in the cache.
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Build directories (NAME.PID.tmp) of processes that are gone: killed mid-build.</summary>
    private static void RemoveAbandonedBuilds(string guestCache)
    {
        Directory.CreateDirectory(guestCache);
        foreach (var d in Directory.GetDirectories(guestCache, "*.tmp"))
        {
            var parts = Path.GetFileName(d).Split('.');
            if (parts.Length >= 3 && int.TryParse(parts[^2], out int pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                try { Directory.Delete(d, recursive: true); } catch (IOException) { }
        }
    }

    private static GuestArtifacts BuildInto(string tmp, string dir, string key, KernelInfo kernel, SysTree sys, string root,
        GuestArtifacts artifacts, Action<string>? progress)
    {
        var t = Artifacts(tmp, key);
        progress?.Invoke($"building the guest agent against {sys.Path}");
        Run(root, "make", ["-s", "-C", "native/agent", $"NETBSD_SYS={sys.Path}", $"BUILD={tmp}"]);
        progress?.Invoke("building the uvmshim module");
        Run(root, "make", ["-s", "-C", "native/kmod", $"NETBSD_SYS={sys.Path}", $"BUILD={tmp}"]);
        progress?.Invoke("assembling the micro root (makefs)");
        Run(root, "vm-images/microroot/make-root.sh", ["--agent", t.Agent, "--kmod", t.Module, "--out", t.RootImage]);
        progress?.Invoke("making the GRUB boot ISO");
        Run(root, "vm-images/grub/make-iso.sh", ["--kernel", kernel.Path, "--out", t.BootIso]);
        HeaderManifest.Write(tmp, dir, root);
        File.WriteAllText(Path.Combine(tmp, ".complete"), $"{kernel}\n{sys}\n");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.Move(tmp, dir);
        return artifacts;
    }

    private static GuestArtifacts Artifacts(string dir, string key) => new(dir,
        Path.Combine(dir, "kshim-agent"), Path.Combine(dir, "uvmshim.kmod"),
        Path.Combine(dir, "root.img"), Path.Combine(dir, "boot.iso"), key, false);

    /// <summary>The cache key: our guest sources, the sys tree's identity, the kernel's bytes.</summary>
    public static string Key(string repoRoot, KernelInfo kernel, SysTree sys)
    {
        var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var d in SourceDirs)
        {
            var full = Path.Combine(repoRoot, d);
            if (!Directory.Exists(full)) continue;
            foreach (var f in Directory.GetFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                h.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(repoRoot, f) + "\0"));
                h.AppendData(File.ReadAllBytes(f));
            }
        }
        h.AppendData(Encoding.UTF8.GetBytes($"sys={sys.Path}\0{sys.Version.Value}\0kernel={kernel.Sha256}\0"));
        h.AppendData(File.ReadAllBytes(Path.Combine(sys.Path, "sys", "param.h")));
        return Convert.ToHexStringLower(h.GetHashAndReset())[..20];
    }

    internal static void Run(string cwd, string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Path.IsPathRooted(file) || !file.Contains('/') ? file : Path.Combine(cwd, file))
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new NetBsdInputException($"cannot run {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new GuestBuildException($"{file} {string.Join(' ', args)} failed (exit {p.ExitCode}):\n{Tail(stdout.Result + stderr)}");
    }

    private static string Tail(string s) => string.Join('\n', s.Split('\n').TakeLast(25));
}

/// <summary>Building the guest side failed: an infrastructure problem, not a kernel verdict.</summary>
public sealed class GuestBuildException(string message) : Errors.KernelShimException(Errors.ErrorClass.Infrastructure, message);
