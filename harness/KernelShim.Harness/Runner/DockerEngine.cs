using System.Net.Sockets;

namespace KernelShim.Harness.Runner;

/// <summary>
/// Probes the Docker engine (does it answer, which API) and knows how to start it
/// (scripts/docker-engine.sh: installs docker.io if needed, runs dockerd, waits for /_ping).
/// </summary>
public sealed class DockerEngine
{
    public const string StartScriptRelative = "scripts/docker-engine.sh";

    public DockerEngine(DockerEndpoint? endpoint = null)
    {
        Endpoint = endpoint ?? DockerEndpoint.FromEnvironment();
    }

    public DockerEndpoint Endpoint { get; }

    /// <summary>The start script: absolute when the checkout is known.</summary>
    public static string StartScript =>
        RepoPaths.TryFindRoot() is { } root ? Path.Combine(root, StartScriptRelative) : StartScriptRelative;

    /// <summary>"start it with: ..." for error messages about the local engine.</summary>
    public static string StartHint => $"start it with: {StartScript} (as root)";

    /// <summary>
    /// What to do about an engine that does not answer at <paramref name="endpoint"/>: the start script for
    /// the engines it starts (the local one, and instance N at kshim-docker-N.sock or tcp://127.0.0.1:2375N);
    /// for any other URL nothing here can start it, so the advice is to check the engine and the URL.
    /// </summary>
    public static string HintFor(DockerEndpoint endpoint)
    {
        var uri = endpoint.Uri;
        if (uri.Scheme == "unix" && uri.LocalPath == DockerEndpoint.DefaultUri.LocalPath)
            return StartHint;
        var instance = System.Text.RegularExpressions.Regex.Match(uri.LocalPath, @"^/var/run/kshim-docker-(\d+)\.sock$");
        if (uri.Scheme == "unix" && instance.Success)
            return $"start it with: {StartScript} --instance {instance.Groups[1].Value} (as root)";
        if (uri.Scheme == "tcp" && uri.IsLoopback && uri.Port is > 23751 and < 23760)
            return $"start it with: {StartScript} --instance {uri.Port - 23750} (as root)";
        return uri.Scheme == "tcp" && !uri.IsLoopback
            ? "check that the engine runs on that machine and listens there, or correct DOCKER_HOST/--endpoint"
            : "check that an engine listens there, or correct DOCKER_HOST/--endpoint";
    }

    /// <summary>Pings the engine and asks its version; never throws for an absent engine.</summary>
    public async Task<EngineProbe> ProbeAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (Endpoint.Uri.Scheme == "unix" && !File.Exists(Endpoint.Uri.LocalPath))
            return Failed($"no socket at {Endpoint.Uri.LocalPath}");

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            using var client = Endpoint.CreateClient();
            await client.System.PingAsync(cts.Token).ConfigureAwait(false);
            var version = await client.System.GetVersionAsync(cts.Token).ConfigureAwait(false);
            return new EngineProbe(true, Endpoint, version.Version, version.APIVersion, version.MinAPIVersion, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"no answer within {(timeout ?? TimeSpan.FromSeconds(5)).TotalSeconds:0.#} s");
        }
        catch (Exception e) when (EngineUnreachable.Is(e) || e is Docker.DotNet.DockerApiException)
        {
            return Failed(EngineUnreachable.Reason(e));
        }
    }

    /// <summary>Runs the start script (needs root) and probes again.</summary>
    public async Task<EngineProbe> StartAsync(TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        var script = StartScript;
        if (!File.Exists(script))
            throw new RunnerException($"cannot start the engine: {script} not found (set KSHIM_REPO to the checkout)");
        var result = await HostCommand.RunAsync(script, [], log, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new RunnerException($"{script} failed (exit {result.ExitCode}): {result.Stderr.Trim()}");
        return await ProbeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts, or finds running, the extra engine instance <paramref name="instance"/> (N >= 2) through
    /// the start script (<c>--instance N</c>; starting needs root, finding does not): an independent
    /// dockerd with its own unix socket and tcp://127.0.0.1:23750+N, for tests and for trying an
    /// engine that does not share our files.  Returns its endpoints as the script prints them.
    /// </summary>
    public static async Task<IReadOnlyList<DockerEndpoint>> StartInstanceAsync(
        int instance, TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instance, 2);
        var script = StartScript;
        if (!File.Exists(script))
            throw new RunnerException($"cannot start engine {instance}: {script} not found (set KSHIM_REPO to the checkout)");
        var result = await HostCommand.RunAsync(script, ["--instance", instance.ToString()], log, cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new RunnerException($"{script} --instance {instance} failed (exit {result.ExitCode}): {result.Stderr.Trim()}");
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => DockerEndpoint.Parse(line))];
    }

    private EngineProbe Failed(string error) => new(false, Endpoint, null, null, null, error);
}
