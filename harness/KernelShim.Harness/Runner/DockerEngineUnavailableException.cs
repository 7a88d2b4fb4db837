namespace KernelShim.Harness.Runner;

/// <summary>The Docker engine does not answer; the message says how to start it.</summary>
public sealed class DockerEngineUnavailableException : RunnerException
{
    public DockerEngineUnavailableException(DockerEndpoint endpoint, Exception inner)
        : base($"the Docker engine at {endpoint.Address} does not answer ({EngineUnreachable.Reason(inner)}); {DockerEngine.HintFor(endpoint)}", inner)
    {
        Endpoint = endpoint;
    }

    /// <summary>From a probe that found no engine (its reason, without a second hint).</summary>
    public DockerEngineUnavailableException(EngineProbe probe)
        : base($"the Docker engine at {probe.Endpoint.Address} does not answer ({probe.Error}); {DockerEngine.HintFor(probe.Endpoint)}")
    {
        Endpoint = probe.Endpoint;
    }

    public DockerEndpoint Endpoint { get; }
}
