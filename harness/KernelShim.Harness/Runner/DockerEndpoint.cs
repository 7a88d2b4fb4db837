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
        return string.IsNullOrWhiteSpace(host) ? new DockerEndpoint(DefaultUri, ApiVersionFromEnvironment()) : Parse(host);
    }

    /// <summary>A DOCKER_HOST-style URL: unix:///path or tcp://host:port; throws <see cref="FormatException"/> for anything else.</summary>
    public static DockerEndpoint Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new FormatException($"not a URL: {url} (expected unix:///path/to/docker.sock or tcp://host:port)");
        if (uri.Scheme == "unix" && uri.AbsolutePath.Length > 1) return new DockerEndpoint(uri, ApiVersionFromEnvironment());
        if (uri.Scheme == "tcp" && uri.Host.Length > 0 && !uri.IsDefaultPort) return new DockerEndpoint(uri, ApiVersionFromEnvironment());
        throw new FormatException($"unsupported Docker endpoint {url}: expected unix:///path/to/docker.sock or tcp://host:port");
    }

    private static Version ApiVersionFromEnvironment()
    {
        var versionText = Environment.GetEnvironmentVariable("KSHIM_DOCKER_API_VERSION");
        if (string.IsNullOrWhiteSpace(versionText))
            versionText = Environment.GetEnvironmentVariable("DOCKER_API_VERSION");
        return Version.TryParse(versionText, out var v) ? v : DefaultApiVersion;
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
