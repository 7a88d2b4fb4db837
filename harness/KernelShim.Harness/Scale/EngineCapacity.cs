using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Scale;

/// <summary>
/// What a Docker engine says about the machine it runs on (GET /info): its
/// name (engines on one machine share its cores and memory), its id, the
/// cores and the memory.
/// </summary>
public sealed record EngineCapacity(DockerEndpoint Endpoint, string Host, string EngineId, int Cpus, long MemoryBytes)
{
    public static async Task<EngineCapacity> ProbeAsync(DockerEndpoint endpoint, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var client = endpoint.CreateClient();
            var info = await client.System.GetSystemInfoAsync(cts.Token).ConfigureAwait(false);
            return new EngineCapacity(endpoint, info.Name ?? "", info.ID ?? "", (int)info.NCPU, info.MemTotal);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DockerEngineUnavailableException(endpoint, new TimeoutException("no answer to GET /info within 10 s"));
        }
        catch (Exception e) when (Runner.EngineUnreachable.Is(e) || e is Docker.DotNet.DockerApiException)
        {
            throw new DockerEngineUnavailableException(endpoint, e);
        }
    }

    public override string ToString() => $"{Endpoint.Url} on {Host}: {Cpus} core(s), {MemoryBytes / (double)(1L << 30):0.0} GiB";
}
