namespace KernelShim.Harness.Scale;

/// <summary>
/// VM slots shared by every kshim process on this machine: one lock file per
/// core under <see cref="Directory"/>, held (flock, through FileShare.None)
/// while a VM runs on an engine of this machine.  Two matrix runs at once
/// (e.g. test assemblies run in parallel by `dotnet test`) then still keep to
/// the cores; a lock dies with its process, so nothing is ever stale.
/// </summary>
public static class MachineSlots
{
    /// <summary>$KSHIM_SLOTS_DIR, or kshim-slots in the temporary directory.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("KSHIM_SLOTS_DIR") is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "kshim-slots");

    /// <summary>Waits until one of <paramref name="slots"/> lock files is free and holds it until disposed.</summary>
    public static async Task<IDisposable> AcquireAsync(int slots, Action<string>? waiting = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        System.IO.Directory.CreateDirectory(Directory);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nextWord = TimeSpan.Zero;
        while (true)
        {
            for (int i = 0; i < slots; i++)
            {
                try
                {
                    return new FileStream(Path.Combine(Directory, $"slot-{i}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException)
                {
                    // Held by another VM of this or another process.
                }
            }
            // Said at once, then every 30 s with the time waited: a wait of minutes is never silent.
            if (clock.Elapsed >= nextWord)
            {
                var holders = Holders(slots);
                waiting?.Invoke(nextWord == TimeSpan.Zero
                    ? $"all {slots} VM slot(s) of this machine are held{(holders.Length > 0 ? $" by {holders}" : "")}: waiting for one"
                    : $"still waiting for a VM slot ({clock.Elapsed.TotalSeconds:0} s){(holders.Length > 0 ? $"; held by {holders}" : "")}");
                nextWord = clock.Elapsed + TimeSpan.FromSeconds(30);
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Who holds the slot locks, from /proc/locks (flock holders by inode): "pid 123 (kshim run ...), ...", or "" when unknown.</summary>
    public static string Holders(int slots)
    {
        try
        {
            var files = Enumerable.Range(0, slots).Select(i => Path.Combine(Directory, $"slot-{i}.lock")).Where(File.Exists).ToList();
            var inodes = Inodes(files);
            var pids = new SortedSet<int>();
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                // "1: FLOCK  ADVISORY  WRITE 12345 08:01:123456 0 EOF"
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 6 || f[1] != "FLOCK") continue;
                var dev = f[5].Split(':');
                if (dev.Length == 3 && long.TryParse(dev[2], out long ino) && inodes.Contains(ino) && int.TryParse(f[4], out int pid))
                    pids.Add(pid);
            }
            return string.Join(", ", pids.Select(pid => $"pid {pid}{(pid == Environment.ProcessId ? " (this kshim)" : Command(pid) is { } c ? $" ({c})" : "")}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The inode numbers of <paramref name="files"/> (stat -c %i: .NET has no portable call for it).</summary>
    private static HashSet<long> Inodes(IReadOnlyList<string> files)
    {
        if (files.Count == 0) return [];
        var psi = new System.Diagnostics.ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "%i" }.Concat(files)) psi.ArgumentList.Add(a);
        try
        {
            using var p = System.Diagnostics.Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.TryParse(l, out long v) ? v : -1)];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return [];
        }
    }

    private static string? Command(int pid)
    {
        try
        {
            var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var text = string.Join(' ', argv.Select(a => Path.GetFileName(a) == "kshim.dll" ? "kshim" : a).Where(a => a != "dotnet"));
            return text.Length > 60 ? text[..60] + "..." : text;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
