using System.CommandLine;
using KernelShim.Harness;
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
    private sealed record Check(string What, bool Ok, string Found, string Fix);

    public static Command Create()
    {
        var cmd = new Command("doctor", "Check the Docker engine, the runner image, KVM, the model and the NetBSD inputs");
        cmd.SetAction((_, ct) => RunAsync(ct));
        return cmd;
    }

    private static async Task<int> RunAsync(CancellationToken ct)
    {
        var checks = new List<Check>();
        if (Endpoints.EngineFromEnvironment() is not { } docker) return ExitCodes.UsageOrInput;
        var engine = await docker.ProbeAsync(TimeSpan.FromSeconds(3), ct);
        checks.Add(new("Docker engine", engine.Answers, engine.Describe(), engine.Answers ? "" : $"sudo {DockerEngine.StartScript}"));
        if (engine.Answers)
        {
            await using var runner = new DockerRunner(reapStale: false);
            try
            {
                var image = new RunnerImage(runner);
                var tag = await image.ExpectedTagAsync(ct);
                bool present = await runner.ImageExistsAsync(tag, ct);
                checks.Add(new("Runner image", present, present ? $"{tag} present" : $"{tag} not built (its inputs changed or it never was)", present ? "" : "./kshim image build"));
            }
            catch (RunnerException e)
            {
                checks.Add(new("Runner image", false, e.Message, "make setup"));
            }
            try
            {
                // What the matrix would plan for NetBSD VMs on this engine.
                var capacity = await EngineCapacity.ProbeAsync(engine.Endpoint, ct);
                var slots = SlotPlanner.Plan([capacity], new VmFootprint(1, ((long)NetBsdMachine.MemoryMiB + VmFootprint.QemuOverheadMiB) << 20)).Endpoints[0];
                checks.Add(new("Parallel VMs", slots.Slots > 0, $"{slots.Slots} NetBSD VM(s) at once on {capacity} ({slots.Reason})",
                    slots.Slots > 0 ? "" : "a machine with more memory, or another --endpoint"));
            }
            catch (RunnerException e)
            {
                checks.Add(new("Parallel VMs", false, e.Message, $"sudo {DockerEngine.StartScript}"));
            }
        }
        else
        {
            checks.Add(new("Runner image", false, "unknown: the engine does not answer", $"sudo {DockerEngine.StartScript}, then ./kshim image build"));
        }

        var host = HostVirtualization.Probe();
        var accel = AccelSelector.Choose(AccelMode.Auto, host);
        checks.Add(new("Acceleration", true, $"--accel auto chooses {accel}", accel.Mode == AccelMode.Kvm ? "" : "none needed: TCG works everywhere, only slower"));

        string? root = RepoPaths.TryFindRoot();
        string model = root is null ? "" : Path.Combine(root, "build", "native", "libkshim_model.so");
        bool modelOk = File.Exists(model);
        checks.Add(new("Reference model", modelOk, modelOk ? model : "libkshim_model.so not built", modelOk ? "" : "make native"));

        checks.AddRange(NetBsdInputChecks());
        var table = new Table().AddColumns("check", "state", "found", "fix");
        foreach (var c in checks)
            table.AddRow(Markup.Escape(c.What), c.Ok ? "[green]ok[/]" : "[red]missing[/]", Markup.Escape(c.Found), Markup.Escape(c.Fix));
        AnsiConsole.Write(table);
        bool vmReady = checks.Take(2).All(c => c.Ok);
        AnsiConsole.MarkupLine(vmReady
            ? "VM targets: ready (with a NetBSD kernel and sys tree for --target qemu)."
            : "VM targets: not ready; `kshim run --target model` works without them.");
        return checks.All(c => c.Ok) ? ExitCodes.Passed : ExitCodes.VerdictNotPassed;
    }

    /// <summary>The structures the module embeds, as the sys tree lays them out, against the kernel's own objects.</summary>
    private static Check LayoutCheck(KernelInfo kernel, SysTree sys)
    {
        try
        {
            var checks = KernelLayout.CheckMatches(kernel, sys);
            var unchecked_ = checks.Where(c => c.KernelSize is null).Select(c => c.Type).ToList();
            return new("Kernel structure layout", true,
                $"{string.Join(", ", checks.Where(c => c.KernelSize is not null).Select(c => $"{c.Type} {c.SysSize}"))} bytes, as in the kernel" +
                (unchecked_.Count > 0 ? $" (not in the kernel's symbols, so not checked: {string.Join(", ", unchecked_)})" : ""), "");
        }
        catch (NetBsdInputException e) { return new("Kernel structure layout", false, e.Message, "use the sys tree the kernel was built from"); }
        catch (GuestBuildException e) { return new("Kernel structure layout", false, $"the layout probe did not build: {e.Message.Split('\n')[0]}", "make -C native/kmod layout NETBSD_SYS=..."); }
    }

    /// <summary>The kernel and sys tree from the environment, read and matched; plus what the caches hold.</summary>
    private static IEnumerable<Check> NetBsdInputChecks()
    {
        const string kernelFix = "--kernel PATH or KSHIM_KERNEL=PATH (NetBSD/amd64, plain or gzipped), or ./kshim fetch --release 10.1";
        const string sysFix = "--sys PATH or KSHIM_SYS=PATH (the kernel's sys/ or a syssrc.tgz)";
        var inputs = NetBsdInputs.From(null, null);
        KernelInfo? kernel = null;
        SysTree? sys = null;
        if (inputs.Kernel is null) yield return new("NetBSD kernel", false, "KSHIM_KERNEL is not set: only --target model works", kernelFix);
        else
        {
            Check c;
            try
            {
                kernel = KernelImage.Inspect(inputs.Kernel, Path.Combine(GuestBuild.DefaultCache, "kernels"));
                c = new("NetBSD kernel", true, $"{kernel}; boots by {(kernel.HasPvhNote ? "-kernel (PVH)" : "GRUB knetbsd")}: good for run/reproduce/validate --target qemu", "");
            }
            catch (NetBsdInputException e) { c = new("NetBSD kernel", false, e.Message, kernelFix); }
            yield return c;
        }
        if (inputs.Sys is null) yield return new("NetBSD sys tree", false, "KSHIM_SYS is not set: the module and agent cannot be built", sysFix);
        else
        {
            Check c;
            try
            {
                sys = inputs.Sys.EndsWith(".tgz", StringComparison.Ordinal) ? null : SysTree.Open(inputs.Sys);
                c = new("NetBSD sys tree", true, sys is null ? $"{inputs.Sys} (a syssrc set, unpacked on first use)" : $"{sys.Path}: headers of NetBSD {sys.Version}: builds uvmshim.kmod and the agent", "");
            }
            catch (NetBsdInputException e) { c = new("NetBSD sys tree", false, e.Message, sysFix); }
            yield return c;
        }
        if (kernel is not null && sys is not null)
        {
            var why = kernel.Version.WhyModuleRejected(sys.Version);
            yield return new("Kernel and headers", why is null, why ?? $"match ({kernel.Version})", why is null ? "" : "use the sys tree the kernel was built from");
            if (why is null) yield return LayoutCheck(kernel, sys);
        }
        var downloads = Directory.Exists(Fetcher.DefaultCache) ? Directory.GetFiles(Fetcher.DefaultCache).Where(f => !f.EndsWith(".part")).ToList() : [];
        var guests = Path.Combine(GuestBuild.DefaultCache, "guest");
        int builds = Directory.Exists(guests) ? Directory.GetDirectories(guests).Count(d => File.Exists(Path.Combine(d, ".complete"))) : 0;
        yield return new("Caches", true, $"{downloads.Count} verified download(s) in {Fetcher.DefaultCache}; {builds} guest build(s) in {guests}", "");
    }
}
