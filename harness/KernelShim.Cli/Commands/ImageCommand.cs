using System.CommandLine;
using KernelShim.Harness.Runner;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim image build`: the QEMU runner image, offline, skipped when up to date.</summary>
public static class ImageCommand
{
    public static Command Create()
    {
        var build = new Command("build", "Build the runner image from the host's Debian packages (skipped when its inputs are unchanged)");
        build.SetAction((_, ct) => BuildAsync(ct));
        return new Command("image", "The QEMU runner image") { build };
    }

    private static async Task<int> BuildAsync(CancellationToken ct)
    {
        var engine = await new DockerEngine().ProbeAsync(TimeSpan.FromSeconds(3), ct);
        if (!engine.Answers) throw new DockerEngineUnavailableException(engine);
        await using var runner = new DockerRunner(reapStale: false);
        var status = await new RunnerImage(runner).EnsureAsync(Console.Error, ct);
        AnsiConsole.MarkupLineInterpolated($"{(status.Built ? "built" : "up to date")}: [bold]{status.Tag}[/] ({status.Elapsed.TotalSeconds:0.0} s)");
        return ExitCodes.Passed;
    }
}
