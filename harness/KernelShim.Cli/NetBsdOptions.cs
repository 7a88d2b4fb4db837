using System.CommandLine;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using Spectre.Console;

namespace KernelShim.Cli;

/// <summary>The options every command that boots NetBSD takes: --kernel, --sys, --accel.</summary>
public sealed class NetBsdOptions
{
    private readonly Option<string?> _kernel = new("--kernel") { Description = "a NetBSD/amd64 kernel, plain or gzipped (default: $KSHIM_KERNEL)" };
    private readonly Option<string?> _sys = new("--sys") { Description = "the kernel's sys/ tree (default: $KSHIM_SYS)" };
    private readonly Option<AccelMode> _accel = new("--accel") { Description = "auto (KVM only with real VT-x/AMD-V), tcg or kvm", DefaultValueFactory = _ => AccelMode.Auto };
    private readonly Option<BootMethod?> _boot = new("--boot") { Description = "override the boot method read from the kernel: DirectKernel (PVH) or GrubIso" };

    public sealed record Values(string? Kernel, string? Sys, AccelMode Accel, BootMethod? Boot = null);

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_kernel);
        cmd.Options.Add(_sys);
        cmd.Options.Add(_accel);
        cmd.Options.Add(_boot);
    }

    public Values Read(ParseResult pr) => new(pr.GetValue(_kernel), pr.GetValue(_sys), pr.GetValue(_accel), pr.GetValue(_boot));

    /// <summary>A prepared setup, or the exit code that says why there is none (the reason is printed).</summary>
    public sealed record Prepared(NetBsdSetup? Setup, int ExitCode) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Setup?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    public static async Task<Prepared> PrepareAsync(Values v, CancellationToken ct)
    {
        try
        {
            var setup = await NetBsdSetup.PrepareAsync(NetBsdInputs.From(v.Kernel, v.Sys), v.Accel,
                line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), ct, v.Boot);
            AnsiConsole.MarkupLineInterpolated($"accelerator: [bold]{setup.Accel}[/]");
            return new Prepared(setup, ExitCodes.Passed);
        }
        catch (NetBsdInputException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]input error:[/] {e.Message}");
            return new Prepared(null, ExitCodes.UsageOrInput);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("KVM"))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return new Prepared(null, ExitCodes.UsageOrInput);
        }
        catch (Exception e) when (e is GuestBuildException or RunnerException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]infrastructure error:[/] {e.Message}");
            return new Prepared(null, ExitCodes.Infrastructure);
        }
    }
}
