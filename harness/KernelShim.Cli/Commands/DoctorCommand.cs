using System.CommandLine;
using KernelShim.Harness;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
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
        var engine = await new DockerEngine().ProbeAsync(TimeSpan.FromSeconds(3), ct);
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

        checks.Add(Input("NetBSD kernel", "KSHIM_KERNEL", p => File.Exists(p), "--kernel PATH or KSHIM_KERNEL=PATH (a NetBSD/amd64 kernel, plain or gzipped)"));
        checks.Add(Input("NetBSD sys tree", "KSHIM_SYS", p => File.Exists(Path.Combine(p, "sys", "param.h")) || File.Exists(p),
            "--sys PATH or KSHIM_SYS=PATH (the kernel's sys/ directory or syssrc.tgz)"));

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

    private static Check Input(string what, string env, Func<string, bool> valid, string fix)
    {
        var path = Environment.GetEnvironmentVariable(env);
        if (string.IsNullOrEmpty(path)) return new(what, false, $"{env} is not set", fix);
        return valid(path) ? new(what, true, $"{env}={path}", "") : new(what, false, $"{env}={path} does not look right", fix);
    }
}
