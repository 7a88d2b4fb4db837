using KernelShim.Harness.Runner;

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
        catch (DockerEndpointFormatException e)
        {
            endpoint = null;
            return e.Message;
        }
    }
}
