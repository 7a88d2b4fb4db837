namespace KernelShim.Harness.Runner;

/// <summary>
/// Everything needed to create one container: an immutable value, made by <see cref="ContainerSpecBuilder"/>.
/// The network is "none" unless asked otherwise; /dev/kvm is passed in only when <see cref="UseKvm"/> is set.
/// </summary>
public sealed record ContainerSpec
{
    public const string DefaultNamePrefix = "kshim";
    public const string NoNetwork = "none";

    public required string Image { get; init; }

    /// <summary>The command (argv); empty means the image's CMD.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Replaces the image's ENTRYPOINT when set.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }

    public IReadOnlyList<BindMount> Binds { get; init; } = [];

    /// <summary>Devices beyond /dev/kvm (which <see cref="UseKvm"/> controls).</summary>
    public IReadOnlyList<ContainerDevice> Devices { get; init; } = [];

    /// <summary>Caller labels; the session and owner labels are added by the runner.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Container names are "&lt;prefix&gt;-&lt;session&gt;-&lt;n&gt;".</summary>
    public string NamePrefix { get; init; } = DefaultNamePrefix;

    /// <summary>Docker network mode; "none" by default (the channels are unix sockets in a bind-mounted folder).</summary>
    public string Network { get; init; } = NoNetwork;

    /// <summary>Pass /dev/kvm into the container.</summary>
    public bool UseKvm { get; init; }

    /// <summary>Keep stdin open so that an attach with stdin can write to the container's process.</summary>
    public bool OpenStdin { get; init; }

    /// <summary>The devices the container gets: <see cref="Devices"/> plus /dev/kvm when asked.</summary>
    public IEnumerable<ContainerDevice> AllDevices =>
        UseKvm && !Devices.Any(d => d.ContainerPath == ContainerDevice.KvmPath)
            ? Devices.Append(ContainerDevice.Kvm)
            : Devices;

    public override string ToString() => $"{Image} {string.Join(' ', Command)}";
}
