namespace KernelShim.Harness.Runner;

/// <summary>What <see cref="DockerEngine.ProbeAsync"/> found out (for `kshim doctor` and test fixtures).</summary>
public sealed record EngineProbe(
    bool Answers,
    DockerEndpoint Endpoint,
    string? ServerVersion,
    string? ApiVersion,
    string? MinApiVersion,
    string? Error)
{
    /// <summary>How to start the engine (a command line), or what to check for one kshim cannot start.</summary>
    public string StartHint => DockerEngine.HintFor(Endpoint);

    /// <summary>One line for humans.</summary>
    public string Describe() => Answers
        ? $"Docker engine {ServerVersion} answers at {Endpoint.Address} (server API {ApiVersion}, min {MinApiVersion}; client speaks {Endpoint.ApiVersion.ToString(2)})"
        : $"Docker engine does not answer at {Endpoint.Address}: {Error}; {StartHint}";
}
