using System.CommandLine;
using KernelShim.Harness;
using KernelShim.Harness.Errors;
using KernelShim.Harness.Inputs;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim doctor`: what is there, what is missing, and the command that fixes it.</summary>
public static class DoctorCommand
{
    /// <summary>One row. <see cref="Fails"/>: null when fine (or optional and absent), else what kind of error it is.</summary>
    private sealed record Check(string What, bool Ok, string Found, string Fix, ErrorClass? Fails = null)
    {
        public static Check Good(string what, string found) => new(what, true, found, "");
        public static Check Bad(string what, ErrorClass cls, string found, string fix) => new(what, false, found, fix, cls);
        /// <summary>Absent and optional: shown as missing, but not an error (only some commands need it).</summary>
        public static Check Optional(string what, string found, string fix) => new(what, false, found, fix);
    }

    public static Command Create()
    {
        var cmd = new Command("doctor", "Check the Docker engine, the runner image, KVM, the model and the NetBSD inputs");
        cmd.SetAction((_, ct) => RunAsync(ct));
        return cmd;
    }

    private static async Task<int> RunAsync(CancellationToken ct)
    {
        var checks = new List<Check>();
        var docker = new DockerEngine(); // a malformed $DOCKER_HOST is an input error, reported by the entry point
        var engine = await docker.ProbeAsync(TimeSpan.FromSeconds(3), ct);
        checks.Add(engine.Answers
            ? Check.Good("Docker engine", engine.Describe())
            : Check.Bad("Docker engine", ErrorClass.Infrastructure, $"does not answer at {engine.Endpoint.Address}: {engine.Error}", engine.StartHint));
        if (engine.Answers)
        {
            await using var runner = new DockerRunner(reapStale: false);
            try
            {
                var reaped = await new Reaper(runner).ReapAsync(ct);
                checks.Add(Check.Good("Orphaned VMs", reaped.Count == 0
                    ? "none: no container of a dead kshim process"
                    : $"{reaped.Count} container(s) of dead kshim processes: {string.Join("; ", reaped)}"));
            }
            catch (RunnerException e)
            {
                checks.Add(Check.Bad("Orphaned VMs", ErrorClass.Infrastructure, e.Message, "docker ps --filter label=" + KernelShimLabels.OwnerPid));
            }
            try
            {
                var image = new RunnerImage(runner);
                var tag = await image.ExpectedTagAsync(ct);
                bool present = await runner.ImageExistsAsync(tag, ct);
                checks.Add(present ? Check.Good("Runner image", $"{tag} present")
                    : Check.Bad("Runner image", ErrorClass.Infrastructure, $"{tag} not built (its inputs changed or it never was)", "./kshim image build"));
            }
            catch (RunnerException e)
            {
                checks.Add(Check.Bad("Runner image", ErrorClass.Infrastructure, e.Message, "make setup"));
            }
            try
            {
                // What the matrix would plan for NetBSD VMs on this engine.
                var capacity = await EngineCapacity.ProbeAsync(engine.Endpoint, ct);
                var slots = SlotPlanner.Plan([capacity], new VmFootprint(1, ((long)NetBsdMachine.MemoryMiB + VmFootprint.QemuOverheadMiB) << 20)).Endpoints[0];
                var found = $"{slots.Slots} NetBSD VM(s) at once on {capacity} ({slots.Reason})";
                checks.Add(slots.Slots > 0 ? Check.Good("Parallel VMs", found)
                    : Check.Bad("Parallel VMs", ErrorClass.Infrastructure, found, "a machine with more memory, or another --endpoint"));
            }
            catch (RunnerException e)
            {
                checks.Add(Check.Bad("Parallel VMs", ErrorClass.Infrastructure, e.Message, engine.StartHint));
            }
        }
        else
        {
            checks.Add(Check.Bad("Runner image", ErrorClass.Infrastructure, "unknown: the engine does not answer", "start the engine (above), then ./kshim image build"));
        }

        var host = HostVirtualization.Probe();
        var accel = AccelSelector.Choose(AccelMode.Auto, host);
        checks.Add(new("Acceleration", true, $"--accel auto chooses {accel}", accel.Mode == AccelMode.Kvm ? "" : "none needed: TCG works everywhere, only slower"));

        string? root = RepoPaths.TryFindRoot();
        string model = root is null ? "" : Path.Combine(root, "build", "native", "libkshim_model.so");
        bool modelOk = File.Exists(model);
        checks.Add(modelOk ? Check.Good("Reference model", model)
            : Check.Bad("Reference model", ErrorClass.Infrastructure, "libkshim_model.so not built", "make native"));

        checks.AddRange(NetBsdInputChecks());
        var table = new Table().AddColumns("check", "state", "found", "fix");
        foreach (var c in checks)
            table.AddRow(Markup.Escape(c.What), c.Ok ? "[green]ok[/]" : c.Fails is null ? "[yellow]absent[/]" : "[red]missing[/]",
                Markup.Escape(c.Found), Markup.Escape(c.Fix));
        AnsiConsole.Write(table);
        bool vmReady = checks.Where(c => c.What is "Docker engine" or "Runner image").All(c => c.Ok);
        AnsiConsole.MarkupLine(vmReady
            ? "VM targets: ready (with a NetBSD kernel and sys tree for --target qemu)."
            : "VM targets: not ready; `kshim run --target model` works without them.");
        // Infrastructure first (nothing runs without it), then inputs the user set but that cannot be used;
        // inputs not set at all are optional (--target model needs none).
        var worst = checks.Select(c => c.Fails).Where(f => f is not null).Select(f => f!.Value).ToList();
        return worst.Contains(ErrorClass.Infrastructure) ? ExitCodes.For(ErrorClass.Infrastructure)
            : worst.Count > 0 ? ExitCodes.For(ErrorClass.Input) : ExitCodes.Passed;
    }

    /// <summary>The structures the module embeds, as the sys tree lays them out, against the kernel's own objects.</summary>
    private static Check LayoutCheck(KernelInfo kernel, SysTree sys)
    {
        try
        {
            var checks = KernelLayout.CheckMatches(kernel, sys);
            var unchecked_ = checks.Where(c => c.KernelSize is null).Select(c => c.Type).ToList();
            return Check.Good("Kernel structure layout",
                $"{string.Join(", ", checks.Where(c => c.KernelSize is not null).Select(c => $"{c.Type} {c.SysSize}"))} bytes, as in the kernel" +
                (unchecked_.Count > 0 ? $" (not in the kernel's symbols, so not checked: {string.Join(", ", unchecked_)})" : ""));
        }
        catch (NetBsdInputException e) { return Check.Bad("Kernel structure layout", ErrorClass.Input, e.Message, "use the sys tree the kernel was built from"); }
        catch (GuestBuildException e) { return Check.Bad("Kernel structure layout", ErrorClass.Infrastructure, $"the layout probe did not build: {e.Message.Split('\n')[0]}", "make -C native/kmod layout NETBSD_SYS=..."); }
    }

    /// <summary>The kernel and sys tree from the environment, read and matched; plus what the caches hold.</summary>
    private static IEnumerable<Check> NetBsdInputChecks()
    {
        // doctor reads the environment (the commands also take --kernel/--sys).
        const string kernelFix = "export KSHIM_KERNEL=PATH (NetBSD/amd64, plain or gzipped), or ./kshim fetch --release 10.1";
        const string sysFix = "export KSHIM_SYS=PATH (the kernel's sys/ or a syssrc.tgz)";
        var inputs = NetBsdInputs.From(null, null);
        KernelInfo? kernel = null;
        SysTree? sys = null;
        if (inputs.Kernel is null) yield return Check.Optional("NetBSD kernel", "KSHIM_KERNEL is not set: only --target model works", kernelFix);
        else
        {
            Check c;
            try
            {
                kernel = KernelImage.Inspect(inputs.Kernel, Path.Combine(GuestBuild.DefaultCache, "kernels"));
                c = Check.Good("NetBSD kernel", $"{kernel}; boots by {(kernel.HasPvhNote ? "-kernel (PVH)" : "GRUB knetbsd")}: good for run/reproduce/validate --target qemu");
            }
            catch (NetBsdInputException e) { c = Check.Bad("NetBSD kernel", ErrorClass.Input, e.Message, kernelFix); }
            yield return c;
        }
        if (inputs.Sys is null) yield return Check.Optional("NetBSD sys tree", "KSHIM_SYS is not set: the module and agent cannot be built", sysFix);
        else
        {
            Check c;
            try
            {
                sys = inputs.Sys.EndsWith(".tgz", StringComparison.Ordinal) ? null : SysTree.Open(inputs.Sys);
                c = Check.Good("NetBSD sys tree", sys is null ? $"{inputs.Sys} (a syssrc set, unpacked on first use)" : $"{sys.Path}: headers of NetBSD {sys.Version}: builds uvmshim.kmod and the agent");
            }
            catch (NetBsdInputException e) { c = Check.Bad("NetBSD sys tree", ErrorClass.Input, e.Message, sysFix); }
            yield return c;
        }
        if (kernel is not null && sys is not null)
        {
            var why = kernel.Version.WhyModuleRejected(sys.Version);
            yield return why is null ? Check.Good("Kernel and headers", $"match ({kernel.Version})")
                : Check.Bad("Kernel and headers", ErrorClass.Input, why, "use the sys tree the kernel was built from");
            if (why is null) yield return LayoutCheck(kernel, sys);
        }
        var downloads = Directory.Exists(Fetcher.DefaultCache) ? Directory.GetFiles(Fetcher.DefaultCache).Where(f => !f.EndsWith(".part")).ToList() : [];
        var guests = Path.Combine(GuestBuild.DefaultCache, "guest");
        int builds = Directory.Exists(guests) ? Directory.GetDirectories(guests).Count(d => File.Exists(Path.Combine(d, ".complete"))) : 0;
        yield return Check.Good("Caches", $"{downloads.Count} verified download(s) in {Fetcher.DefaultCache}; {builds} guest build(s) in {guests}");
    }
}
