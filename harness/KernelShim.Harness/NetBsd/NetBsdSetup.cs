using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Sessions;

namespace KernelShim.Harness.NetBsd;

/// <summary>Where a NetBSD kernel and its sys tree come from: options, then KSHIM_KERNEL / KSHIM_SYS.</summary>
public sealed record NetBsdInputs(string? Kernel, string? Sys)
{
    public static NetBsdInputs From(string? kernel, string? sys) =>
        new(kernel ?? Env("KSHIM_KERNEL"), sys ?? Env("KSHIM_SYS"));

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>Null when both are given, else what is missing, in words a user can act on.</summary>
    public string? Missing() => (Kernel, Sys) switch
    {
        (null, null) => "no NetBSD kernel and no sys tree: pass --kernel and --sys (or set KSHIM_KERNEL and KSHIM_SYS)",
        (null, _) => "no NetBSD kernel: pass --kernel PATH (or set KSHIM_KERNEL)",
        (_, null) => "no NetBSD sys tree: pass --sys PATH (or set KSHIM_SYS)",
        _ => null,
    };
}

/// <summary>
/// Everything between "a kernel and a sys tree" and "a GuestRun": reading
/// and matching the inputs, building (or reusing) the guest side, the
/// runner image, the accelerator, the machine spec.
/// </summary>
public sealed class NetBsdSetup : IAsyncDisposable
{
    private NetBsdSetup(KernelInfo kernel, SysTree sys, GuestArtifacts guest, DockerRunner runner, string image, AccelChoice accel, BootMethod? boot)
    {
        Boot = boot;
        Kernel = kernel;
        Sys = sys;
        Guest = guest;
        Runner = runner;
        Image = image;
        Accel = accel;
    }

    public KernelInfo Kernel { get; }
    public SysTree Sys { get; }
    public GuestArtifacts Guest { get; }
    public DockerRunner Runner { get; }
    public string Image { get; }
    public AccelChoice Accel { get; }
    /// <summary>The user's override of the boot method (null: from the kernel's PVH note).</summary>
    public BootMethod? Boot { get; }

    /// <summary>Throws <see cref="NetBsdInputException"/> (bad inputs) or <see cref="GuestBuildException"/>/<see cref="RunnerException"/> (infrastructure).</summary>
    public static async Task<NetBsdSetup> PrepareAsync(NetBsdInputs inputs, AccelMode accel, Action<string>? progress,
        CancellationToken ct = default, BootMethod? boot = null)
    {
        if (inputs.Missing() is { } missing) throw new NetBsdInputException(missing);
        var cache = GuestBuild.DefaultCache;
        var kernel = KernelImage.Inspect(inputs.Kernel!, Path.Combine(cache, "kernels"));
        var sysPath = inputs.Sys!.EndsWith(".tgz", StringComparison.Ordinal) || inputs.Sys.EndsWith(".tar.gz", StringComparison.Ordinal)
            ? SysSourceArchive.Unpack(inputs.Sys, Path.Combine(cache, "sys"))
            : inputs.Sys;
        var sys = SysTree.Open(sysPath);
        sys.CheckMatches(kernel);
        progress?.Invoke($"kernel: {kernel}; sys tree: {sys.Path} ({sys.Version})");
        var guest = GuestBuild.Ensure(kernel, sys, cache, progress);
        progress?.Invoke($"guest side {(guest.FromCache ? "reused from" : "built in")} {guest.Directory}");
        var choice = AccelSelector.Choose(accel, HostVirtualization.Probe());
        var runner = new DockerRunner();
        try
        {
            var image = (await new RunnerImage(runner).EnsureAsync(null, ct).ConfigureAwait(false)).Tag;
            return new NetBsdSetup(kernel, sys, guest, runner, image, choice, boot);
        }
        catch
        {
            await runner.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A GuestRun of this kernel in a fresh work directory.</summary>
    public GuestRun NewRun(RunDeadlines deadlines, Action<string>? progress, out string workDir)
    {
        workDir = Directory.CreateTempSubdirectory("kshim-netbsd-").FullName;
        var spec = NetBsdMachine.Spec(Kernel, Guest, workDir, Accel, Boot);
        return new GuestRun(new DockerQemuBackend(Runner, Image), spec, deadlines)
        {
            Target = $"NetBSD {Kernel.OsRelease}",
            Progress = progress,
        };
    }

    public ValueTask DisposeAsync() => Runner.DisposeAsync();
}
