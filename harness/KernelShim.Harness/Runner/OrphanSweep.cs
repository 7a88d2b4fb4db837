namespace KernelShim.Harness.Runner;

/// <summary>
/// The reaper run at the start of every kshim command, whatever it is: a kshim killed with SIGKILL leaves
/// its VM containers running, and the next command of any kind removes them.  Quiet and bounded: an engine
/// that is absent or does not answer within the timeout is skipped (the commands that need one say so).
/// </summary>
public static class OrphanSweep
{
    public static async Task<IReadOnlyList<ReapedContainer>> RunAsync(DockerEndpoint endpoint, TimeSpan timeout, CancellationToken ct = default)
    {
        if (endpoint.Uri.Scheme == "unix" && !File.Exists(endpoint.Uri.LocalPath)) return [];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await using var runner = new DockerRunner(endpoint, reapStale: false);
            return await new Reaper(runner).ReapAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is RunnerException or OperationCanceledException or Docker.DotNet.DockerApiException || EngineUnreachable.Is(e))
                                  && !ct.IsCancellationRequested)
        {
            return [];
        }
    }
}
