using System.Globalization;
using Docker.DotNet;

namespace KernelShim.Harness.Runner;

/// <summary>
/// Where the Docker engine listens and which API version to speak:
/// $DOCKER_HOST or unix:///var/run/docker.sock, API 1.41 (Debian 12's docker.io) unless
/// $KSHIM_DOCKER_API_VERSION or $DOCKER_API_VERSION says otherwise.
/// </summary>
public sealed record DockerEndpoint(Uri Uri, Version ApiVersion)
{
    public static readonly Uri DefaultUri = new("unix:///var/run/docker.sock");
    public static readonly Version DefaultApiVersion = new(1, 41);

    public static DockerEndpoint FromEnvironment()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var uri = string.IsNullOrWhiteSpace(host) ? DefaultUri : new Uri(host);
        var versionText = Environment.GetEnvironmentVariable("KSHIM_DOCKER_API_VERSION");
        if (string.IsNullOrWhiteSpace(versionText))
            versionText = Environment.GetEnvironmentVariable("DOCKER_API_VERSION");
        var version = Version.TryParse(versionText, out var v) ? v : DefaultApiVersion;
        return new DockerEndpoint(uri, version);
    }

    /// <summary>
    /// A client without a global request timeout: attach and wait last as long as the VM runs;
    /// callers bound them with cancellation tokens.
    /// </summary>
    internal DockerClient CreateClient() =>
        new DockerClientBuilder()
            .WithEndpoint(Uri)
            .WithApiVersion(ApiVersion)
            .WithTimeout(Timeout.InfiniteTimeSpan)
            .Build();

    public override string ToString() =>
        $"{Uri} (API {ApiVersion.ToString(2).ToString(CultureInfo.InvariantCulture)})";
}
