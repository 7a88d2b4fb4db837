using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Scale;

/// <summary>Where and when a job ran, and what came of it: every result carries its endpoint.</summary>
public sealed record Placement<TJob, TResult>(TJob Job, DockerEndpoint? Endpoint, int Slot, DateTimeOffset Started, TimeSpan Duration, TResult Result)
{
    /// <summary>Endpoints this job was tried on before and that failed under it.</summary>
    public IReadOnlyList<DockerEndpoint> FailedOn { get; init; } = [];

    public DateTimeOffset Ended => Started + Duration;
}

/// <summary>What a job's body returns: its result, and whether the endpoint (not the job) failed.</summary>
public readonly record struct JobOutcome<TResult>(TResult Result, bool EndpointFailed = false);
