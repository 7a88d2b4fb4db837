namespace KernelShim.Harness.Runner;

/// <summary>A host folder or file made visible in the container (e.g. the folder holding the channel sockets).</summary>
public sealed record BindMount(string HostPath, string ContainerPath, bool ReadOnly = false)
{
    /// <summary>Docker's "host:container[:ro]" form.</summary>
    public string ToDockerBind() => ReadOnly ? $"{HostPath}:{ContainerPath}:ro" : $"{HostPath}:{ContainerPath}";

    public override string ToString() => ToDockerBind();
}
