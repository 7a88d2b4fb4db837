using Docker.DotNet.Models;

namespace KernelShim.Harness.Runner;

/// <summary>
/// One created container. Typical life: <see cref="AttachAsync"/>, <see cref="StartAsync"/>,
/// read output, <see cref="WaitAsync"/>, <see cref="RemoveAsync"/> (or dispose, which removes).
/// </summary>
public sealed class ContainerHandle : IAsyncDisposable
{
    private readonly DockerRunner runner;

    internal ContainerHandle(DockerRunner runner, string id, string name, ContainerSpec spec)
    {
        this.runner = runner;
        Id = id;
        Name = name;
        Spec = spec;
    }

    public string Id { get; }

    public string Name { get; }

    public ContainerSpec Spec { get; }

    /// <summary>Attaches stdout and stderr (and stdin when asked; the spec must have it open).</summary>
    public async Task<ContainerStreams> AttachAsync(bool stdin = false, CancellationToken cancellationToken = default)
    {
        if (stdin && !Spec.OpenStdin)
            throw new InvalidOperationException($"container {Name} was created without stdin (ContainerSpecBuilder.WithStdin())");
        var parameters = new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true, Stdin = stdin };
        var stream = await runner.CallAsync(
            c => c.Containers.AttachContainerAsync(Id, parameters, cancellationToken)).ConfigureAwait(false);
        return new ContainerStreams(stream, stdin);
    }

    /// <summary>
    /// Copies host files into the container at their own absolute paths and makes
    /// <paramref name="directories"/> (empty) there, through the archive API (PUT /containers/{id}/archive):
    /// for an engine that does not see our files.  Works on a created container, before it starts.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing (checked before anything is sent).</exception>
    public Task CopyInAsync(
        IReadOnlyCollection<string> files, IReadOnlyCollection<string> directories, CancellationToken cancellationToken = default) =>
        SamePathArchive.UploadAsync(files, directories, tar => runner.CallAsync(c => c.Containers.ExtractArchiveToContainerAsync(
            Id, new CopyToContainerParameters { Path = "/" }, tar, cancellationToken)), cancellationToken);

    /// <summary>
    /// Copies one regular file out of the container to <paramref name="hostPath"/> through the archive
    /// API (GET /containers/{id}/archive): for an engine that does not share our file system.
    /// </summary>
    public async Task CopyOutAsync(string containerPath, string hostPath, CancellationToken cancellationToken = default)
    {
        var archive = await runner.CallAsync(c => c.Containers.GetArchiveFromContainerAsync(
            Id, new ContainerPathStatParameters { Path = containerPath }, statOnly: false, cancellationToken)).ConfigureAwait(false);
        await using var tarStream = archive.Stream ?? throw new RunnerException($"no archive of {containerPath} from container {Name}");
        using var reader = new System.Formats.Tar.TarReader(tarStream);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (System.Formats.Tar.TarEntryType.RegularFile or System.Formats.Tar.TarEntryType.V7RegularFile)
                || entry.DataStream is null)
                continue;
            await using (var file = File.Create(hostPath))
                await entry.DataStream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            return;
        }
        throw new RunnerException($"{containerPath} in container {Name} is not a regular file");
    }

    /// <summary>
    /// Runs <paramref name="argv"/> in the running container with stdin, stdout and stderr attached
    /// (docker exec, hijacked connection, no TTY): a binary-safe byte stream to the process.
    /// </summary>
    public async Task<ExecStream> ExecAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken = default)
    {
        var created = await runner.CallAsync(c => c.Exec.CreateContainerExecAsync(Id, new ContainerExecCreateParameters
        {
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            TTY = false,
            Cmd = [.. argv],
        }, cancellationToken)).ConfigureAwait(false);
        var stream = await runner.CallAsync(c => c.Exec.StartContainerExecAsync(
            created.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, cancellationToken)).ConfigureAwait(false);
        return new ExecStream(stream, created.ID);
    }

    public Task StartAsync(CancellationToken cancellationToken = default) =>
        runner.CallAsync(c => c.Containers.StartContainerAsync(Id, new ContainerStartParameters(), cancellationToken));

    /// <summary>Waits until the container stops; returns its exit code.</summary>
    public async Task<long> WaitAsync(CancellationToken cancellationToken = default)
    {
        var response = await runner.CallAsync(
            c => c.Containers.WaitContainerAsync(Id, cancellationToken)).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>SIGTERM, then SIGKILL after the grace period.</summary>
    public Task StopAsync(TimeSpan? grace = null, CancellationToken cancellationToken = default)
    {
        var seconds = (uint)Math.Ceiling((grace ?? TimeSpan.FromSeconds(5)).TotalSeconds);
        return runner.CallAsync(c => c.Containers.StopContainerAsync(
            Id, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken));
    }

    public Task KillAsync(string signal = "SIGKILL", CancellationToken cancellationToken = default) =>
        runner.CallAsync(async c =>
        {
            await c.Containers.KillContainerAsync(Id, new ContainerKillParameters { Signal = signal }, cancellationToken)
                .ConfigureAwait(false);
            return true;
        });

    public Task<ContainerDetails> InspectAsync(CancellationToken cancellationToken = default) =>
        runner.InspectAsync(Id, cancellationToken);

    /// <summary>Force-removes the container (a missing container is not an error).</summary>
    public Task RemoveAsync(CancellationToken cancellationToken = default) =>
        runner.RemoveAsync(Name, cancellationToken);

    /// <summary>Removes the container; an engine that went away leaves it to the reaper.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await RemoveAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerEngineUnavailableException)
        {
            // The reaper of the next harness run removes it (the owner pid will be dead by then).
        }
    }

    public override string ToString() => $"{Name} ({Id[..Math.Min(12, Id.Length)]})";
}
