using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace KernelShim.Harness.Runner;

/// <summary>
/// Runs containers on the Docker engine for one <see cref="HarnessSession"/>: every container gets the
/// session and owner labels and a "&lt;prefix&gt;-&lt;session&gt;-&lt;n&gt;" name; the runner removes what it
/// created on dispose, and (through <see cref="ExitCleanup"/>) on process exit, SIGINT and SIGTERM.
/// Before the first container on an engine, stale containers of dead harness processes on it are reaped (once per engine per process).
/// </summary>
public sealed class DockerRunner : IAsyncDisposable, IDisposable
{
    /// <summary>One reap per engine (by address) per process.</summary>
    private static readonly ConcurrentDictionary<string, Task> StaleReaps = new(StringComparer.Ordinal);

    private readonly DockerClient client;
    private readonly ConcurrentDictionary<string, byte> owned = new(StringComparer.Ordinal);
    private readonly bool reapStale;
    private int counter;
    private int disposed;

    /// <param name="endpoint">Defaults to <see cref="DockerEndpoint.FromEnvironment"/>.</param>
    /// <param name="session">Defaults to <see cref="HarnessSession.Current"/>.</param>
    /// <param name="reapStale">Reap containers of dead owners before the first create.</param>
    public DockerRunner(DockerEndpoint? endpoint = null, HarnessSession? session = null, bool reapStale = true)
    {
        Endpoint = endpoint ?? DockerEndpoint.FromEnvironment();
        Session = session ?? HarnessSession.Current;
        this.reapStale = reapStale;
        client = Endpoint.CreateClient();
        ExitCleanup.Register(this);
    }

    public DockerEndpoint Endpoint { get; }

    public HarnessSession Session { get; }

    /// <summary>Names of the containers this runner created and has not removed yet.</summary>
    public IReadOnlyCollection<string> OwnedContainers => [.. owned.Keys];

    /// <summary>Creates a container (not started). Dispose or remove the handle when done.</summary>
    public async Task<ContainerHandle> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        // Another machine's /dev/kvm cannot be seen from here: its engine reports a missing device itself.
        if (spec.UseKvm && Endpoint.IsOnThisMachine && !File.Exists(ContainerDevice.KvmPath))
            throw new RunnerException("the spec asks for KVM but this host has no /dev/kvm");
        if (reapStale)
            await ReapStaleOnceAsync(cancellationToken).ConfigureAwait(false);

        var name = $"{spec.NamePrefix}-{Session.ShortId}-{Interlocked.Increment(ref counter)}";
        owned[name] = 0; // before the request: a create cut short by cancellation is still cleaned up
        try
        {
            var response = await CallAsync(c => c.Containers.CreateContainerAsync(
                ContainerParameters.From(spec, Session, name), cancellationToken)).ConfigureAwait(false);
            return new ContainerHandle(this, response.ID, name, spec);
        }
        catch (DockerImageNotFoundException e)
        {
            owned.TryRemove(name, out _);
            throw new RunnerException(
                $"image {spec.Image} does not exist: build it with {RunnerImage.BuildScriptRelative} (see RunnerImage.EnsureAsync)", e);
        }
    }

    /// <summary>Create, attach, start, collect output, wait, remove: for short commands in a container.</summary>
    public async Task<ContainerRunResult> RunAsync(
        ContainerSpec spec, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        await using var container = await CreateAsync(spec, cancellationToken).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var streams = await container.AttachAsync(cancellationToken: deadline.Token).ConfigureAwait(false);
            await container.StartAsync(deadline.Token).ConfigureAwait(false);
            var output = await streams.ReadToEndAsync(deadline.Token).ConfigureAwait(false);
            var exitCode = await container.WaitAsync(deadline.Token).ConfigureAwait(false);
            return new ContainerRunResult(container.Name, exitCode, output.Stdout, output.Stderr, clock.Elapsed);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"container {container.Name} ({spec}) still ran after {timeout.TotalSeconds:0.#} s");
        }
    }

    public async Task<ContainerDetails> InspectAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var c = await CallAsync(cl => cl.Containers.InspectContainerAsync(idOrName, cancellationToken)).ConfigureAwait(false);
        return new ContainerDetails(
            c.ID,
            c.Name.TrimStart('/'),
            c.Config?.Image ?? "",
            c.State?.Status ?? "",
            c.State?.Running ?? false,
            c.State?.ExitCode ?? 0,
            c.HostConfig?.NetworkMode ?? "",
            c.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            c.HostConfig?.Binds is { } binds ? [.. binds] : [],
            c.HostConfig?.Devices is { } devices ? [.. devices.Select(d => d.PathOnHost)] : []);
    }

    /// <summary>Whether a container with this id or name exists.</summary>
    public async Task<bool> ExistsAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync(c => c.Containers.InspectContainerAsync(idOrName, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Containers (running or not) carrying a label ("key" or "key=value").</summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListByLabelAsync(
        string labelFilter, CancellationToken cancellationToken = default)
    {
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [labelFilter] = true },
            },
        };
        var list = await CallAsync(c => c.Containers.ListContainersAsync(parameters, cancellationToken)).ConfigureAwait(false);
        return [.. list.Select(c => new ContainerSummary(
            c.ID,
            c.Names?.FirstOrDefault()?.TrimStart('/') ?? "",
            c.State ?? "",
            c.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>()))];
    }

    /// <summary>Every container of this runner's session (whichever runner of the process made it).</summary>
    public Task<IReadOnlyList<ContainerSummary>> ListSessionContainersAsync(CancellationToken cancellationToken = default) =>
        ListByLabelAsync(Session.LabelFilter, cancellationToken);

    /// <summary>Force-removes a container; a missing one is not an error.</summary>
    public async Task RemoveAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync(c => c.Containers.RemoveContainerAsync(
                idOrName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken)).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict
                                           && e.ResponseBody?.Contains("already in progress", StringComparison.Ordinal) == true)
        {
        }
        owned.TryRemove(idOrName, out _);
    }

    /// <summary>Removes every container this runner created.</summary>
    public async Task RemoveOwnedAsync(CancellationToken cancellationToken = default)
    {
        List<Exception>? errors = null;
        foreach (var name in owned.Keys)
        {
            try
            {
                await RemoveAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RunnerException or DockerApiException)
            {
                (errors ??= []).Add(e);
            }
        }
        if (errors is not null)
            throw new AggregateException("some containers could not be removed", errors);
    }

    /// <summary>Removes every container of the session (used at process exit).</summary>
    public async Task RemoveSessionContainersAsync(CancellationToken cancellationToken = default)
    {
        foreach (var container in await ListSessionContainersAsync(cancellationToken).ConfigureAwait(false))
            await RemoveAsync(container.Id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync(c => c.Images.InspectImageAsync(image, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Copies an image from this engine into <paramref name="target"/> through the API (GET
    /// /images/get into POST /images/load, streamed): no registry, and the target needs no access to
    /// anything of ours.  The tag travels with the image.
    /// </summary>
    public async Task CopyImageToAsync(DockerRunner target, string image, CancellationToken cancellationToken = default)
    {
        await using var tar = await CallAsync(c => c.Images.SaveImageAsync(image, cancellationToken)).ConfigureAwait(false);
        var errors = new List<string>();
        var progress = new Progress<JSONMessage>(m =>
        {
            if (m.Error?.Message is { Length: > 0 } error)
                lock (errors) errors.Add(error);
        });
        await target.CallAsync(c => c.Images.LoadImageAsync(
            new ImageLoadParameters { Quiet = true }, tar, progress, cancellationToken)).ConfigureAwait(false);
        if (!await target.ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
        {
            string reason;
            lock (errors) reason = errors.Count > 0 ? string.Join("; ", errors) : "the engine reported no error";
            throw new RunnerException($"loading {image} into {target.Endpoint.Address} failed: {reason}");
        }
    }

    /// <summary>Adds a tag ("repo:tag") to an image.</summary>
    public Task TagImageAsync(string image, string tag, CancellationToken cancellationToken = default)
    {
        var colon = tag.LastIndexOf(':');
        var parameters = colon > 0
            ? new ImageTagParameters { RepositoryName = tag[..colon], Tag = tag[(colon + 1)..] }
            : new ImageTagParameters { RepositoryName = tag };
        return CallAsync(c => c.Images.TagImageAsync(image, parameters, cancellationToken));
    }

    /// <summary>Removes the containers this runner created, then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        ExitCleanup.Unregister(this);
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await RemoveOwnedAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RunnerException or AggregateException or OperationCanceledException)
        {
            // Left to the reaper: the labels name this process, which will be dead by then.
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Synchronous cleanup for process exit and signals: owned and session containers, bounded in time.</summary>
    internal void CleanUpForExit(TimeSpan limit)
    {
        if (Volatile.Read(ref disposed) != 0)
            return;
        try
        {
            using var deadline = new CancellationTokenSource(limit);
            Task.Run(async () =>
            {
                await RemoveOwnedAsync(deadline.Token).ConfigureAwait(false);
                await RemoveSessionContainersAsync(deadline.Token).ConfigureAwait(false);
            }).Wait(limit);
        }
        catch (Exception)
        {
            // Nothing more can be done while the process goes down; the reaper takes over.
        }
    }

    private async Task ReapStaleOnceAsync(CancellationToken cancellationToken)
    {
        var task = StaleReaps.AddOrUpdate(Endpoint.Address,
            _ => new Reaper(this).ReapAsync(CancellationToken.None),
            (_, old) => old.IsFaulted || old.IsCanceled ? new Reaper(this).ReapAsync(CancellationToken.None) : old);
        await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every engine call goes through here: an engine that does not answer becomes one clear exception.</summary>
    internal async Task<T> CallAsync<T>(Func<DockerClient, Task<T>> call)
    {
        try
        {
            return await call(client).ConfigureAwait(false);
        }
        catch (Exception e) when (EngineUnreachable.Is(e))
        {
            throw new DockerEngineUnavailableException(Endpoint, e);
        }
    }

    internal async Task CallAsync(Func<DockerClient, Task> call) =>
        await CallAsync(async c =>
        {
            await call(c).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
}
