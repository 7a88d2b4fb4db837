namespace KernelShim.Harness.Runner;

/// <summary>A host device node passed into the container (e.g. /dev/kvm).</summary>
public sealed record ContainerDevice(string HostPath, string ContainerPath, string Permissions = "rwm")
{
    public const string KvmPath = "/dev/kvm";

    /// <summary>/dev/kvm, read-write.</summary>
    public static ContainerDevice Kvm { get; } = new(KvmPath, KvmPath);

    public override string ToString() => $"{HostPath}:{ContainerPath}:{Permissions}";
}
