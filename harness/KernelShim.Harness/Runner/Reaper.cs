namespace KernelShim.Harness.Runner;

/// <summary>
/// Removes containers left behind by harness processes that are gone (killed with SIGKILL, crashed,
/// or from before a reboot): any container labelled with an owner pid whose process is dead or whose
/// pid now belongs to another process (start time differs). Containers of live owners, of this session
/// and of other hosts are left alone.
/// </summary>
public sealed class Reaper
{
    private readonly DockerRunner runner;

    public Reaper(DockerRunner runner)
    {
        this.runner = runner;
    }

    public async Task<IReadOnlyList<ReapedContainer>> ReapAsync(CancellationToken cancellationToken = default)
    {
        var reaped = new List<ReapedContainer>();
        var candidates = await runner.ListByLabelAsync(KernelShimLabels.OwnerPid, cancellationToken).ConfigureAwait(false);
        var ownSession = runner.Session.Id.ToString();
        foreach (var container in candidates)
        {
            if (container.Labels.TryGetValue(KernelShimLabels.Session, out var session) && session == ownSession)
                continue;
            if (OwnerIdentity.FromLabels(new Dictionary<string, string>(container.Labels)) is not { } owner)
                continue;
            var liveness = owner.Check();
            if (liveness is OwnerLiveness.Alive or OwnerLiveness.OtherHost)
                continue;
            await runner.RemoveAsync(container.Id, cancellationToken).ConfigureAwait(false);
            reaped.Add(new ReapedContainer(container.Id, container.Name, owner, liveness));
        }
        return reaped;
    }
}
