using KernelShim.Harness.Runner;
using Spectre.Console;

namespace KernelShim.Cli;

/// <summary>--endpoint values: DOCKER_HOST-style URLs.</summary>
public static class Endpoints
{
    /// <summary>Null when <paramref name="text"/> is a usable endpoint, else why not.</summary>
    public static string? TryParse(string text, out DockerEndpoint? endpoint)
    {
        try
        {
            endpoint = DockerEndpoint.Parse(text);
            return null;
        }
        catch (FormatException e)
        {
            endpoint = null;
            return e.Message;
        }
    }


    /// <summary>The engine $DOCKER_HOST names, or null when $DOCKER_HOST is malformed (the reason is printed as an input error).</summary>
    public static DockerEngine? EngineFromEnvironment()
    {
        try
        {
            return new DockerEngine();
        }
        catch (FormatException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]input error:[/] {e.Message}");
            return null;
        }
    }
}
