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
            ? "a NetBSD/amd64 kernel, plain or gzipped, as PATH, LABEL=PATH or LABEL=PATH,SYS (its own sys tree); repeat for a kernel x scenario matrix (default: $KSHIM_KERNEL)"
            : "a NetBSD/amd64 kernel, plain or gzipped (default: $KSHIM_KERNEL)",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<string[]> _sys = new("--sys")
    {
        Description = matrix
            ? "the kernels' sys/ tree: once for all kernels, or once per --kernel in the same order; a kernel's own ,SYS wins (default: $KSHIM_SYS)"
            : "the kernel's sys/ tree (default: $KSHIM_SYS)",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<AccelMode> _accel = new("--accel") { Description = "auto (KVM only with real VT-x/AMD-V), tcg or kvm", DefaultValueFactory = _ => AccelMode.Auto };
    private readonly Option<BootMethod?> _boot = new("--boot") { Description = "override the boot method read from the kernel: DirectKernel (PVH) or GrubIso" };
    private readonly EndpointOptions _where = new(matrix);
    private readonly Option<bool> _cold = new("--cold") { Description = "boot every VM cold (default: each VM starts from a state saved at READY by the first cold boot of its kernel, and falls back to a cold boot, saying why, when that state cannot be used)" };

    public sealed record Values(string? Kernel, string? Sys, AccelMode Accel, BootMethod? Boot = null, string? Endpoint = null);

    /// <summary>A matrix: kernels (label, path) paired with their sys trees, endpoints and a cap on concurrent VMs.</summary>
    public sealed record MatrixValues(IReadOnlyList<(string? Label, string? Kernel, string? Sys)> Kernels, AccelMode Accel, BootMethod? Boot,
        IReadOnlyList<string> Endpoints, int? Jobs, bool Warm = true);

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
            var (label, path, own) = Split(k);
            return (label, path, own ?? (sys.Length == 0 ? null : sys.Length == 1 ? sys[0] : sys[i]));
        }).ToList();
        return new MatrixValues(rows, pr.GetValue(_accel), pr.GetValue(_boot), _where.Endpoints(pr), _where.Jobs(pr), !pr.GetValue(_cold));
    }

    /// <summary>
    /// "LABEL=PATH,SYS", "LABEL=PATH" or "PATH" (a '/' before the '=' means it is part of the path;
    /// the last ',' separates the sys tree).
    /// </summary>
    public static (string? Label, string? Path, string? Sys) Split(string? arg)
    {
        if (arg is null) return (null, null, null);
        int eq = arg.IndexOf('=');
        var (label, rest) = eq > 0 && !arg[..eq].Contains('/') ? (arg[..eq], arg[(eq + 1)..]) : ((string?)null, arg);
        int comma = rest.LastIndexOf(',');
        if (comma <= 0 || comma == rest.Length - 1) return (label, rest, null);
        return (label, rest[..comma], rest[(comma + 1)..]);
    }

    /// <summary>A prepared setup; errors propagate (input or infrastructure) and the entry point reports them.</summary>
    public sealed record Prepared(NetBsdSetup Setup) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Setup.DisposeAsync();
    }

    public static async Task<Prepared> PrepareAsync(Values v, CancellationToken ct)
    {
        var endpoint = v.Endpoint is null ? null : DockerEndpoint.Parse(v.Endpoint);
        var setup = await NetBsdSetup.PrepareAsync(NetBsdInputs.From(v.Kernel, v.Sys), v.Accel, Progress, ct, v.Boot, endpoint);
        AnsiConsole.MarkupLineInterpolated($"accelerator: [bold]{setup.Accel}[/]");
        return new Prepared(setup);
    }

    /// <summary>A prepared matrix; errors propagate like <see cref="PrepareAsync"/>'s.</summary>
    public sealed record PreparedMatrix(IReadOnlyList<NetBsdGuest> Guests, MatrixSetup Setup) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Setup.DisposeAsync();
    }

    public static async Task<PreparedMatrix> PrepareMatrixAsync(MatrixValues v, CancellationToken ct)
    {
        var guests = new List<NetBsdGuest>();
        var labels = KernelLabels.For([.. v.Kernels.Select(k => (k.Label, NetBsdInputs.From(k.Kernel, k.Sys).Kernel))]);
        // Every pairing checked before any guest is built or booted: a refusal comes first, and alone.
        var inputs = v.Kernels.Select(k => NetBsdInputs.From(k.Kernel, k.Sys)).ToList();
        var inspected = inputs.Select(input => NetBsdGuest.Inspect(input, Progress)).ToList();
        for (int i = 0; i < v.Kernels.Count; i++)
            guests.Add(NetBsdGuest.Prepare(inputs[i], inspected[i], Progress, v.Boot, labels[i]));
        var s = await MatrixSetup.PrepareAsync(guests, [.. v.Endpoints.Select(e => DockerEndpoint.Parse(e))], v.Accel, v.Jobs, Progress, ct);
        foreach (var p in s.Places) AnsiConsole.MarkupLineInterpolated($"endpoint [bold]{p.Endpoint.Url}[/]: accelerator [bold]{p.Accel}[/]");
        foreach (var e in s.Plan.Endpoints) AnsiConsole.MarkupLineInterpolated($"slots: {e}");
        foreach (var n in s.Plan.Notes) AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {n}");
        AnsiConsole.MarkupLineInterpolated($"at most [bold]{s.Plan.Total}[/] VM(s) at once, {s.Footprint} each");
        return new PreparedMatrix(guests, s);
    }

    private static void Progress(string line) => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]");
}
