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
        if (Endpoints.EngineFromEnvironment() is not { } docker) return ExitCodes.UsageOrInput;
        var engine = await docker.ProbeAsync(TimeSpan.FromSeconds(3), ct);
        if (!engine.Answers)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{engine.Describe()}[/]");
            return ExitCodes.Infrastructure;
        }
        await using var runner = new DockerRunner(reapStale: false);
        try
        {
            var status = await new RunnerImage(runner).EnsureAsync(Console.Error, ct);
            AnsiConsole.MarkupLineInterpolated($"{(status.Built ? "built" : "up to date")}: [bold]{status.Tag}[/] ({status.Elapsed.TotalSeconds:0.0} s)");
            return ExitCodes.Passed;
        }
        catch (RunnerException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return ExitCodes.Infrastructure;
        }
    }
}
