using System.CommandLine;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using Spectre.Console;

namespace KernelShim.Cli;

/// <summary>
/// The options every command that boots NetBSD takes: --kernel, --sys, --accel, --boot, --endpoint.
/// A matrix command (run, validate) takes several kernels and endpoints and --jobs; the others one of each.
/// </summary>
public sealed class NetBsdOptions(bool matrix = false)
{
    private readonly Option<string[]> _kernel = new("--kernel")
    {
        Description = matrix
            ? "a NetBSD/amd64 kernel, plain or gzipped, as PATH or LABEL=PATH; repeat for a kernel x scenario matrix (default: $KSHIM_KERNEL)"
            : "a NetBSD/amd64 kernel, plain or gzipped (default: $KSHIM_KERNEL)",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<string[]> _sys = new("--sys")
    {
        Description = matrix
            ? "the kernels' sys/ tree: once for all kernels, or once per --kernel in the same order (default: $KSHIM_SYS)"
            : "the kernel's sys/ tree (default: $KSHIM_SYS)",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<AccelMode> _accel = new("--accel") { Description = "auto (KVM only with real VT-x/AMD-V), tcg or kvm", DefaultValueFactory = _ => AccelMode.Auto };
    private readonly Option<BootMethod?> _boot = new("--boot") { Description = "override the boot method read from the kernel: DirectKernel (PVH) or GrubIso" };
    private readonly EndpointOptions _where = new(matrix);
    private readonly Option<bool> _cold = new("--cold") { Description = "boot every VM cold (default: start from a VM state saved at READY by the first cold boot)" };

    public sealed record Values(string? Kernel, string? Sys, AccelMode Accel, BootMethod? Boot = null, string? Endpoint = null);

    /// <summary>A matrix: kernels (label, path) paired with their sys trees, endpoints and a cap on concurrent VMs.</summary>
    public sealed record MatrixValues(IReadOnlyList<(string? Label, string? Kernel, string? Sys)> Kernels, AccelMode Accel, BootMethod? Boot,
        IReadOnlyList<string> Endpoints, int? Jobs, bool Cold = false);

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_kernel);
        cmd.Options.Add(_sys);
        cmd.Options.Add(_accel);
        cmd.Options.Add(_boot);
        _where.AddTo(cmd);
        if (matrix) cmd.Options.Add(_cold);
        cmd.Validators.Add(r =>
        {
            int kernels = r.GetValue(_kernel)?.Length ?? 0, sys = r.GetValue(_sys)?.Length ?? 0;
            if (!matrix && kernels > 1) r.AddError("--kernel: this command boots one kernel");
            if (!matrix && sys > 1) r.AddError("--sys: this command takes one sys tree");
            if (matrix && sys > 1 && sys != kernels) r.AddError($"--sys: give one sys tree for every kernel, or one per --kernel ({kernels} kernel(s), {sys} sys tree(s))");
        });
    }

    public Values Read(ParseResult pr) => new(
        pr.GetValue(_kernel) is [var k, ..] ? k : null,
        pr.GetValue(_sys) is [var s, ..] ? s : null,
        pr.GetValue(_accel), pr.GetValue(_boot),
        _where.Endpoints(pr) is [var e, ..] ? e : null);

    public MatrixValues ReadMatrix(ParseResult pr)
    {
        string?[] kernels = pr.GetValue(_kernel) is { Length: > 0 } ks ? ks : new string?[] { null };
        var sys = pr.GetValue(_sys) ?? [];
        var rows = kernels.Select((k, i) =>
        {
            var (label, path) = SplitLabel(k);
            return (label, path, sys.Length == 0 ? null : sys.Length == 1 ? sys[0] : sys[i]);
        }).ToList();
        return new MatrixValues(rows, pr.GetValue(_accel), pr.GetValue(_boot), _where.Endpoints(pr), _where.Jobs(pr), pr.GetValue(_cold));
    }

    /// <summary>"LABEL=PATH" or "PATH" (a '/' before the '=' means it is part of the path).</summary>
    private static (string? Label, string? Path) SplitLabel(string? arg)
    {
        if (arg is null) return (null, null);
        int eq = arg.IndexOf('=');
        return eq > 0 && !arg[..eq].Contains('/') ? (arg[..eq], arg[(eq + 1)..]) : (null, arg);
    }

    /// <summary>A prepared setup, or the exit code that says why there is none (the reason is printed).</summary>
    public sealed record Prepared(NetBsdSetup? Setup, int ExitCode) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Setup?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    public static async Task<Prepared> PrepareAsync(Values v, CancellationToken ct)
    {
        var setup = await Guarded(async () =>
        {
            var endpoint = v.Endpoint is null ? null : DockerEndpoint.Parse(v.Endpoint);
            return await NetBsdSetup.PrepareAsync(NetBsdInputs.From(v.Kernel, v.Sys), v.Accel, Progress, ct, v.Boot, endpoint);
        });
        if (setup.Value is { } s) AnsiConsole.MarkupLineInterpolated($"accelerator: [bold]{s.Accel}[/]");
        return new Prepared(setup.Value, setup.ExitCode);
    }

    /// <summary>A prepared matrix, or the exit code that says why there is none (the reason is printed).</summary>
    public sealed record PreparedMatrix(IReadOnlyList<NetBsdGuest> Guests, MatrixSetup? Setup, int ExitCode) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Setup?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    public static async Task<PreparedMatrix> PrepareMatrixAsync(MatrixValues v, CancellationToken ct)
    {
        var guests = new List<NetBsdGuest>();
        var labels = KernelLabels.For([.. v.Kernels.Select(k => (k.Label, NetBsdInputs.From(k.Kernel, k.Sys).Kernel))]);
        for (int i = 0; i < v.Kernels.Count; i++)
        {
            var (_, kernel, sys) = v.Kernels[i];
            var guest = await Guarded(() => Task.FromResult(NetBsdGuest.Prepare(NetBsdInputs.From(kernel, sys), Progress, v.Boot, labels[i])));
            if (guest.Value is null) return new PreparedMatrix(guests, null, guest.ExitCode);
            guests.Add(guest.Value);
        }
        var setup = await Guarded(() => MatrixSetup.PrepareAsync(guests, [.. v.Endpoints.Select(e => DockerEndpoint.Parse(e))], v.Accel, v.Jobs, Progress, ct));
        if (setup.Value is { } s)
        {
            foreach (var p in s.Places) AnsiConsole.MarkupLineInterpolated($"endpoint [bold]{p.Endpoint.Url}[/]: accelerator [bold]{p.Accel}[/]");
            foreach (var e in s.Plan.Endpoints) AnsiConsole.MarkupLineInterpolated($"slots: {e}");
            foreach (var n in s.Plan.Notes) AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {n}");
            AnsiConsole.MarkupLineInterpolated($"at most [bold]{s.Plan.Total}[/] VM(s) at once, {s.Footprint} each");
        }
        return new PreparedMatrix(guests, setup.Value, setup.ExitCode);
    }

    /// <summary>Runs a preparation step and turns its errors into a printed reason and an exit code.</summary>
    private static async Task<(T? Value, int ExitCode)> Guarded<T>(Func<Task<T>> step) where T : class
    {
        try
        {
            return (await step(), ExitCodes.Passed);
        }
        catch (Exception e) when (e is NetBsdInputException or FormatException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]input error:[/] {e.Message}");
            return (null, ExitCodes.UsageOrInput);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("KVM"))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return (null, ExitCodes.UsageOrInput);
        }
        catch (Exception e) when (e is GuestBuildException or RunnerException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]infrastructure error:[/] {e.Message}");
            return (null, ExitCodes.Infrastructure);
        }
    }

    private static void Progress(string line) => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]");
}
