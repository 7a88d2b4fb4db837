using KernelShim.Harness.Machine;
using KernelShim.Harness.Scale;
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
/// One NetBSD guest on one place: everything between "a kernel and a sys
/// tree" and "a GuestRun" for the commands that boot a single VM.
/// </summary>
public sealed class NetBsdSetup : IAsyncDisposable
{
    private NetBsdSetup(NetBsdGuest guest, VmPlace place)
    {
        NetBsd = guest;
        Place = place;
    }

    public NetBsdGuest NetBsd { get; }
    public VmPlace Place { get; }
    public KernelInfo Kernel => NetBsd.Kernel;
    public SysTree Sys => NetBsd.Sys;
    public GuestArtifacts Guest => NetBsd.Guest;
    public DockerRunner Runner => Place.Runner;
    public string Image => Place.Image;
    public AccelChoice Accel => Place.Accel;
    public BootMethod? Boot => NetBsd.Boot;

    /// <summary>Throws <see cref="NetBsdInputException"/> (bad inputs) or <see cref="GuestBuildException"/>/<see cref="RunnerException"/> (infrastructure).</summary>
    public static async Task<NetBsdSetup> PrepareAsync(NetBsdInputs inputs, AccelMode accel, Action<string>? progress,
        CancellationToken ct = default, BootMethod? boot = null, DockerEndpoint? endpoint = null)
    {
        var guest = NetBsdGuest.Prepare(inputs, progress, boot);
        var place = await VmPlace.OpenAsync(endpoint ?? DockerEndpoint.FromEnvironment(), accel, ct).ConfigureAwait(false);
        return new NetBsdSetup(guest, place);
    }

    /// <summary>A GuestRun of this kernel in a fresh work directory.</summary>
    public GuestRun NewRun(RunDeadlines deadlines, Action<string>? progress, out string workDir)
    {
        workDir = Directory.CreateTempSubdirectory("kshim-netbsd-").FullName;
        return new GuestRun(Place.Backend(), NetBsd.Spec(workDir, Accel), deadlines)
        {
            Target = NetBsd.Target,
            Progress = progress,
            RequireModule = true,
        };
    }

    public ValueTask DisposeAsync() => Place.DisposeAsync();
}
