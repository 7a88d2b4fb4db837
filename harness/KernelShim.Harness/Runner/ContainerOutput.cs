namespace KernelShim.Harness.Runner;

/// <summary>Which of the container's streams a chunk of output came from.</summary>
public enum OutputStreamKind
{
    Stdout,
    Stderr,
}

/// <summary>One piece of container output, in arrival order.</summary>
public readonly record struct OutputChunk(OutputStreamKind Stream, ReadOnlyMemory<byte> Data);

/// <summary>Everything a container wrote, split by stream.</summary>
public sealed record ContainerOutput(string Stdout, string Stderr);

/// <summary>The outcome of <see cref="DockerRunner.RunAsync"/>.</summary>
public sealed record ContainerRunResult(string Name, long ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);
