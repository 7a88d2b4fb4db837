namespace KernelShim.Harness.Runner;

/// <summary>What the engine says about one container (a slice of docker inspect).</summary>
public sealed record ContainerDetails(
    string Id,
    string Name,
    string Image,
    string Status,
    bool Running,
    long ExitCode,
    string NetworkMode,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Binds,
    IReadOnlyList<string> Devices);

/// <summary>One line of a container listing.</summary>
public sealed record ContainerSummary(string Id, string Name, string State, IReadOnlyDictionary<string, string> Labels);
