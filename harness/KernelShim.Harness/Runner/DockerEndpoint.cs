using System.Globalization;
using Docker.DotNet;

namespace KernelShim.Harness.Runner;

/// <summary>
/// A Docker engine: where it listens, which API version to speak, and how files reach its
/// containers (<see cref="Transfer"/>).  Written as DOCKER_HOST-style URLs
/// (<see cref="Parse"/>): unix:///path/to/docker.sock or tcp://host:port, optionally with
/// ?transfer=bind|copy.  $DOCKER_HOST or unix:///var/run/docker.sock by default, API 1.41
/// (Debian 12's docker.io) unless $KSHIM_DOCKER_API_VERSION or $DOCKER_API_VERSION says otherwise.
/// </summary>
public sealed record DockerEndpoint(Uri Uri, Version ApiVersion)
{
    public static readonly Uri DefaultUri = new("unix:///var/run/docker.sock");
    public static readonly Version DefaultApiVersion = new(1, 41);

    /// <summary>The query parameter that overrides the transfer mode of one endpoint.</summary>
    public const string TransferParameter = "transfer";

    /// <summary>
    /// Bind for unix:// (an engine on this machine sees our files), copy for anything else (it may
    /// not); ?transfer= overrides it.  A per-endpoint URL parameter, not an environment variable, so
    /// that several endpoints can each say what they need.
    /// </summary>
    public TransferMode Transfer { get; init; } = DefaultTransfer(Uri);

    /// <summary>The local engine at unix:///var/run/docker.sock (where images are built).</summary>
    public static DockerEndpoint Local => new(DefaultUri, ApiVersionFromEnvironment());

    /// <summary>Where the engine listens, as DOCKER_HOST takes it: unix:///path or tcp://host:port.</summary>
    public string Address => Uri.Scheme == "unix"
        ? "unix://" + Uri.AbsolutePath
        : $"{Uri.Scheme}://{Uri.Authority}";

    /// <summary><see cref="Address"/> plus ?transfer= when it differs from the scheme's default; <see cref="Parse"/> reads it back.</summary>
    public string Url => Transfer == DefaultTransfer(Uri)
        ? Address
        : $"{Address}?{TransferParameter}={Transfer.ToString().ToLowerInvariant()}";

    /// <summary>The engine runs on this machine (a unix socket, or tcp to a loopback address): its /dev/kvm and CPU are ours.</summary>
    public bool IsOnThisMachine => Uri.Scheme == "unix" || Uri.IsLoopback;

    public static TransferMode DefaultTransfer(Uri uri) =>
        uri.Scheme == "unix" ? TransferMode.Bind : TransferMode.Copy;

    /// <summary>
    /// Reads a DOCKER_HOST-style URL: unix:///absolute/path or tcp://host:port, each optionally with
    /// ?transfer=bind|copy.  Anything else is a <see cref="DockerEndpointFormatException"/> that says what is accepted.
    /// </summary>
    public static DockerEndpoint Parse(string url, Version? apiVersion = null)
    {
        const string accepted = "expected unix:///path/to/docker.sock or tcp://host:port, optionally with ?transfer=bind|copy";
        var text = url?.Trim() ?? "";
        if (text.Length == 0)
            throw new DockerEndpointFormatException($"empty Docker endpoint ({accepted})");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !text.Contains("://", StringComparison.Ordinal))
            throw new DockerEndpointFormatException($"'{text}' is not a Docker endpoint URL ({accepted})");
        Uri clean = uri.Scheme switch
        {
            "unix" => ParseUnix(text, uri, accepted),
            "tcp" => ParseTcp(text, uri, accepted),
            "ssh" => throw new DockerEndpointFormatException(
                $"'{text}': ssh:// endpoints are not supported; forward the engine's socket (ssh -L) ({accepted})"),
            "npipe" => throw new DockerEndpointFormatException($"'{text}': npipe:// (Windows named pipes) is not supported ({accepted})"),
            "http" or "https" => throw new DockerEndpointFormatException(
                $"'{text}': write tcp://{uri.Authority}; TLS is not supported ({accepted})"),
            _ => throw new DockerEndpointFormatException($"'{text}': unsupported scheme {uri.Scheme}:// ({accepted})"),
        };
        if (uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new DockerEndpointFormatException($"'{text}': a Docker endpoint has no user or #fragment ({accepted})");
        var endpoint = new DockerEndpoint(clean, apiVersion ?? ApiVersionFromEnvironment());
        return ParseQuery(text, uri.Query) is { } mode ? endpoint with { Transfer = mode } : endpoint;
    }

    /// <summary>$DOCKER_HOST, or the local engine; a malformed $DOCKER_HOST is a <see cref="DockerEndpointFormatException"/> naming it.</summary>
    public static DockerEndpoint FromEnvironment()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(host))
            return new DockerEndpoint(DefaultUri, ApiVersionFromEnvironment());
        try
        {
            return Parse(host);
        }
        catch (DockerEndpointFormatException e)
        {
            throw new DockerEndpointFormatException($"DOCKER_HOST: {e.Message}", e);
        }
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
        $"{Address} (API {ApiVersion.ToString(2).ToString(CultureInfo.InvariantCulture)}, {Transfer.ToString().ToLowerInvariant()})";

    private static Version ApiVersionFromEnvironment()
    {
        var versionText = Environment.GetEnvironmentVariable("KSHIM_DOCKER_API_VERSION");
        if (string.IsNullOrWhiteSpace(versionText))
            versionText = Environment.GetEnvironmentVariable("DOCKER_API_VERSION");
        return Version.TryParse(versionText, out var v) ? v : DefaultApiVersion;
    }

    private static Uri ParseUnix(string text, Uri uri, string accepted)
    {
        // unix://var/run/docker.sock (two slashes) makes "var" a host name: say so rather than guess.
        if (uri.Host.Length > 0 || uri.AbsolutePath is "" or "/")
            throw new DockerEndpointFormatException($"'{text}': unix:// takes an absolute socket path ({accepted})");
        return new Uri("unix://" + Uri.UnescapeDataString(uri.AbsolutePath));
    }

    private static Uri ParseTcp(string text, Uri uri, string accepted)
    {
        if (uri.Host.Length == 0)
            throw new DockerEndpointFormatException($"'{text}': tcp:// needs a host ({accepted})");
        // No default port: 2375 (plain) or 2376 (TLS) would be a guess, and TLS is not supported.
        if (uri.Port <= 0)
            throw new DockerEndpointFormatException($"'{text}': tcp:// needs a port, usually 2375 ({accepted})");
        if (uri.AbsolutePath is not ("" or "/"))
            throw new DockerEndpointFormatException($"'{text}': tcp:// takes host and port only, no path ({accepted})");
        return new Uri($"tcp://{uri.Authority}");
    }

    private static TransferMode? ParseQuery(string text, string query)
    {
        TransferMode? mode = null;
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.IndexOf('=') is var eq and >= 0 ? (pair[..eq], pair[(eq + 1)..]) : (pair, "");
            if (key != TransferParameter)
                throw new DockerEndpointFormatException($"'{text}': unknown parameter '{key}' (only ?{TransferParameter}=bind|copy)");
            mode = value switch
            {
                "bind" => TransferMode.Bind,
                "copy" => TransferMode.Copy,
                _ => throw new DockerEndpointFormatException($"'{text}': {TransferParameter}={value}: expected bind or copy"),
            };
        }
        return mode;
    }
}
