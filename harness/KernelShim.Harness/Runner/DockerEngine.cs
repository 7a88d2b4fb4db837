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

    /// <summary>"start it with: ..." for error messages.</summary>
    public static string StartHint => $"start it with: {StartScript} (as root)";

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
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException
                                      or Docker.DotNet.DockerApiException)
        {
            return Failed(e.Message);
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
