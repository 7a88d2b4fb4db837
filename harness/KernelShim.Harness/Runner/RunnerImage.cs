using System.Diagnostics;

namespace KernelShim.Harness.Runner;

/// <summary>The state of the runner image after <see cref="RunnerImage.EnsureAsync"/>.</summary>
public sealed record RunnerImageStatus(string Tag, bool Built, TimeSpan Elapsed)
{
    /// <summary>The engine the image was copied from (images/get into images/load); null when the engine had or built it.</summary>
    public DockerEndpoint? CopiedFrom { get; init; }
}

/// <summary>
/// The QEMU runner image (vm-images/runner): tagged kshim-runner:&lt;hash of its inputs&gt; and
/// kshim-runner:latest, built offline by vm-images/runner/build.sh from the host's Debian packages.
/// An engine that lacks it and is not the one images are built on (<see cref="Source"/>) gets it
/// copied through the API, under the same tag: no registry either way.
/// $KSHIM_RUNNER_IMAGE names another image to use as is.
/// </summary>
public sealed class RunnerImage
{
    public const string Repository = "kshim-runner";
    public const string LatestTag = "kshim-runner:latest";
    public const string BuildScriptRelative = "vm-images/runner/build.sh";

    private readonly DockerRunner runner;
    private readonly string? repoRoot;

    public RunnerImage(DockerRunner runner, string? repoRoot = null)
    {
        this.runner = runner;
        this.repoRoot = repoRoot ?? RepoPaths.TryFindRoot();
    }

    /// <summary>
    /// The engine that builds the image and that other engines get it from.  Unset: the runner's own
    /// engine when it is on this machine (unix://), else the local engine (<see cref="DockerEndpoint.Local"/>),
    /// since build.sh collects this host's files and a remote engine may be slow to build on.
    /// </summary>
    public DockerEndpoint? Source { get; init; }

    /// <summary>The engine images come from for this runner (see <see cref="Source"/>).</summary>
    public DockerEndpoint SourceEndpoint =>
        Source ?? (runner.Endpoint.Uri.Scheme == "unix" ? runner.Endpoint : DockerEndpoint.Local);

    /// <summary>The build script, or null when no checkout is known.</summary>
    public string? BuildScript =>
        repoRoot is not null && File.Exists(Path.Combine(repoRoot, BuildScriptRelative))
            ? Path.Combine(repoRoot, BuildScriptRelative)
            : null;

    /// <summary>The tag the current inputs hash to (build.sh --print-tag; hashes the host files, ~1 s).</summary>
    public async Task<string> ExpectedTagAsync(CancellationToken cancellationToken = default)
    {
        var script = BuildScript ?? throw new RunnerException(
            $"cannot find {BuildScriptRelative}: run from a KernelShim checkout or set KSHIM_REPO");
        var result = await HostCommand.RunAsync(script, ["--print-tag"], null, cancellationToken).ConfigureAwait(false);
        var tag = result.Stdout.Trim();
        if (result.ExitCode != 0 || !tag.StartsWith(Repository + ":", StringComparison.Ordinal))
            throw new RunnerException($"{script} --print-tag failed (exit {result.ExitCode}): {result.Stderr.Trim()}");
        return tag;
    }

    /// <summary>
    /// Makes sure the runner's engine has the image, building it when its inputs changed, or copying
    /// it from <see cref="SourceEndpoint"/> (built there first if need be); returns its tag.
    /// Idempotent: one inspect when the engine has the tag already.
    /// </summary>
    public async Task<RunnerImageStatus> EnsureAsync(TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var pinned = Environment.GetEnvironmentVariable("KSHIM_RUNNER_IMAGE") is { Length: > 0 } p ? p : null;
        var script = pinned is null ? BuildScript : null;
        var tag = pinned ?? (script is null ? LatestTag : await ExpectedTagAsync(cancellationToken).ConfigureAwait(false));
        bool ours = tag != LatestTag && (pinned is null || tag.StartsWith(Repository + ":", StringComparison.Ordinal));
        if (await runner.ImageExistsAsync(tag, cancellationToken).ConfigureAwait(false))
        {
            // An engine that got the image under a pinned tag only (make test pins the hash it
            // built for the whole run) is given the latest tag as well.
            if (ours && !await runner.ImageExistsAsync(LatestTag, cancellationToken).ConfigureAwait(false))
                await runner.TagImageAsync(tag, LatestTag, cancellationToken).ConfigureAwait(false);
            return new RunnerImageStatus(tag, false, clock.Elapsed);
        }

        var source = SourceEndpoint;
        if (source.Uri == runner.Endpoint.Uri)
        {
            await BuildAsync(script ?? throw Missing(pinned, tag, runner.Endpoint), tag, runner, log, cancellationToken)
                .ConfigureAwait(false);
            return new RunnerImageStatus(tag, true, clock.Elapsed);
        }

        await using var from = new DockerRunner(source, runner.Session, reapStale: false);
        var built = false;
        if (!await from.ImageExistsAsync(tag, cancellationToken).ConfigureAwait(false))
        {
            await BuildAsync(script ?? throw Missing(pinned, tag, runner.Endpoint, source), tag, from, log, cancellationToken)
                .ConfigureAwait(false);
            built = true;
        }
        log?.WriteLine($"copying {tag} from {source.Address} to {runner.Endpoint.Address}");
        await from.CopyImageToAsync(runner, tag, cancellationToken).ConfigureAwait(false);
        // A pinned tag of our own repository is still ours: the copy gets the latest tag too.
        if (ours)
            await runner.TagImageAsync(tag, LatestTag, cancellationToken).ConfigureAwait(false);
        return new RunnerImageStatus(tag, built, clock.Elapsed) { CopiedFrom = source };
    }

    /// <summary>build.sh against <paramref name="on"/>'s engine (DOCKER_HOST), then the tag must be there.</summary>
    private static async Task BuildAsync(string script, string tag, DockerRunner on, TextWriter? log, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string> { ["DOCKER_HOST"] = on.Endpoint.Address };
        var build = await HostCommand.RunAsync(script, [], log, cancellationToken, environment).ConfigureAwait(false);
        if (build.ExitCode != 0)
            throw new RunnerException(
                $"{script} failed (exit {build.ExitCode}):{Environment.NewLine}{Tail(build.Stderr, 20)}");
        if (!await on.ImageExistsAsync(tag, cancellationToken).ConfigureAwait(false))
            throw new RunnerException($"{script} succeeded but {tag} does not exist on {on.Endpoint.Address} (did the inputs change meanwhile?)");
    }

    private static RunnerException Missing(string? pinned, string tag, params DockerEndpoint[] engines)
    {
        var where = string.Join(" nor on ", engines.Select(e => e.Address));
        return pinned is not null
            ? new RunnerException($"KSHIM_RUNNER_IMAGE={pinned} does not exist on {where}")
            : new RunnerException(
                $"no {tag} image on {where} and no {BuildScriptRelative} to build it: run from a KernelShim checkout or set KSHIM_REPO");
    }

    private static string Tail(string text, int lines) =>
        string.Join(Environment.NewLine, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}
