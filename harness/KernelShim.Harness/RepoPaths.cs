namespace KernelShim.Harness;

/// <summary>Locates the KernelShim checkout (for native builds, scenarios, images).</summary>
public static class RepoPaths
{
    /// <summary>$KSHIM_REPO, else the first parent of the running assembly holding KernelShim.sln.</summary>
    public static string? TryFindRoot()
    {
        if (Environment.GetEnvironmentVariable("KSHIM_REPO") is { Length: > 0 } env && Directory.Exists(env))
            return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KernelShim.sln")))
                return dir.FullName;
        return null;
    }

    public static string Root => TryFindRoot()
        ?? throw new InvalidOperationException("cannot find the KernelShim checkout; set KSHIM_REPO");
}
