namespace KernelShim.Harness.Runner;

/// <summary>A Docker endpoint URL (--endpoint, $DOCKER_HOST) that cannot be used; the message says what is accepted.</summary>
public sealed class DockerEndpointFormatException(string message, Exception? inner = null)
    : Errors.KernelShimException(Errors.ErrorClass.Input, message, inner);
