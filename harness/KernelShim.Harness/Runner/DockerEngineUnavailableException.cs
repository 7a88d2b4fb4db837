namespace KernelShim.Harness.Runner;

/// <summary>The Docker engine does not answer; the message says how to start it.</summary>
public sealed class DockerEngineUnavailableException : RunnerException
{
    public DockerEngineUnavailableException(DockerEndpoint endpoint, Exception inner)
        : base($"the Docker engine at {endpoint.Address} does not answer ({inner.Message}); {DockerEngine.StartHint}", inner)
    {
        Endpoint = endpoint;
    }

    public DockerEndpoint Endpoint { get; }
}
