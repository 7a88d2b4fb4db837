using System.Diagnostics;

namespace KernelShim.Harness.Runner;

/// <summary>The state of the runner image after <see cref="RunnerImage.EnsureAsync"/>.</summary>
public sealed record RunnerImageStatus(string Tag, bool Built, TimeSpan Elapsed);

/// <summary>
/// The QEMU runner image (vm-images/runner): tagged kshim-runner:&lt;hash of its inputs&gt; and
/// kshim-runner:latest, built offline by vm-images/runner/build.sh from the host's Debian packages.
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

    /// <summary>Makes sure the image exists, building it when its inputs changed; returns its tag.</summary>
    public async Task<RunnerImageStatus> EnsureAsync(TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (Environment.GetEnvironmentVariable("KSHIM_RUNNER_IMAGE") is { Length: > 0 } pinned)
        {
            if (!await runner.ImageExistsAsync(pinned, cancellationToken).ConfigureAwait(false))
                throw new RunnerException($"KSHIM_RUNNER_IMAGE={pinned} does not exist on the engine");
            return new RunnerImageStatus(pinned, false, clock.Elapsed);
        }

        if (BuildScript is not { } script)
        {
            if (await runner.ImageExistsAsync(LatestTag, cancellationToken).ConfigureAwait(false))
                return new RunnerImageStatus(LatestTag, false, clock.Elapsed);
            throw new RunnerException(
                $"no {LatestTag} image and no {BuildScriptRelative} to build it: run from a KernelShim checkout or set KSHIM_REPO");
        }

        var tag = await ExpectedTagAsync(cancellationToken).ConfigureAwait(false);
        if (await runner.ImageExistsAsync(tag, cancellationToken).ConfigureAwait(false))
            return new RunnerImageStatus(tag, false, clock.Elapsed);

        var build = await HostCommand.RunAsync(script, [], log, cancellationToken).ConfigureAwait(false);
        if (build.ExitCode != 0)
            throw new RunnerException(
                $"{script} failed (exit {build.ExitCode}):{Environment.NewLine}{Tail(build.Stderr, 20)}");
        if (!await runner.ImageExistsAsync(tag, cancellationToken).ConfigureAwait(false))
            throw new RunnerException($"{script} succeeded but {tag} does not exist (did the inputs change meanwhile?)");
        return new RunnerImageStatus(tag, true, clock.Elapsed);
    }

    private static string Tail(string text, int lines) =>
        string.Join(Environment.NewLine, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}
