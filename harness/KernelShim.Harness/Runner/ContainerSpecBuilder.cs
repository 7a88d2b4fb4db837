using System.Text.RegularExpressions;

namespace KernelShim.Harness.Runner;

/// <summary>
/// Fluent builder of a <see cref="ContainerSpec"/> (in the style of Testcontainers' builders):
/// <code>
/// var spec = new ContainerSpecBuilder()
///     .WithImage(RunnerImage.LatestTag)
///     .WithCommand("qemu-system-x86_64", "--version")
///     .WithBind("/tmp/kshim-run1", "/run/kshim")
///     .Build();
/// </code>
/// </summary>
public sealed partial class ContainerSpecBuilder
{
    private string? image;
    private readonly List<string> command = [];
    private List<string>? entrypoint;
    private readonly Dictionary<string, string> environment = new(StringComparer.Ordinal);
    private string? workingDirectory;
    private readonly List<BindMount> binds = [];
    private readonly List<ContainerDevice> devices = [];
    private readonly Dictionary<string, string> labels = new(StringComparer.Ordinal);
    private string namePrefix = ContainerSpec.DefaultNamePrefix;
    private string network = ContainerSpec.NoNetwork;
    private bool useKvm;
    private bool openStdin;

    public ContainerSpecBuilder WithImage(string value)
    {
        image = value;
        return this;
    }

    /// <summary>Sets the whole command (argv), replacing an earlier one.</summary>
    public ContainerSpecBuilder WithCommand(params IEnumerable<string> argv)
    {
        command.Clear();
        command.AddRange(argv);
        return this;
    }

    public ContainerSpecBuilder WithEntrypoint(params IEnumerable<string> argv)
    {
        entrypoint = [.. argv];
        return this;
    }

    public ContainerSpecBuilder WithEnvironment(string name, string value)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('='))
            throw new ArgumentException($"invalid environment variable name '{name}'", nameof(name));
        environment[name] = value;
        return this;
    }

    public ContainerSpecBuilder WithWorkingDirectory(string path)
    {
        workingDirectory = path;
        return this;
    }

    /// <summary>Bind-mounts an absolute host path at an absolute container path.</summary>
    public ContainerSpecBuilder WithBind(string hostPath, string containerPath, bool readOnly = false)
    {
        binds.Add(new BindMount(hostPath, containerPath, readOnly));
        return this;
    }

    /// <summary>Passes a host device node in (at the same path unless told otherwise).</summary>
    public ContainerSpecBuilder WithDevice(string hostPath, string? containerPath = null)
    {
        devices.Add(new ContainerDevice(hostPath, containerPath ?? hostPath));
        return this;
    }

    /// <summary>Passes /dev/kvm in (only then does the container see it).</summary>
    public ContainerSpecBuilder WithKvm(bool enabled = true)
    {
        useKvm = enabled;
        return this;
    }

    /// <summary>Adds a caller label; the harness's own labels (org.kernelshim.session, owner-*) are refused.</summary>
    public ContainerSpecBuilder WithLabel(string key, string value)
    {
        if (string.IsNullOrWhiteSpace(key))
            throw new ArgumentException("label key is empty", nameof(key));
        if (KernelShimLabels.IsReserved(key))
            throw new ArgumentException($"label '{key}' is set by the harness itself", nameof(key));
        labels[key] = value;
        return this;
    }

    public ContainerSpecBuilder WithNamePrefix(string prefix)
    {
        namePrefix = prefix;
        return this;
    }

    /// <summary>Docker network mode ("none" by default).</summary>
    public ContainerSpecBuilder WithNetwork(string mode)
    {
        network = mode;
        return this;
    }

    /// <summary>Keeps stdin open so the caller can attach and write to it.</summary>
    public ContainerSpecBuilder WithStdin(bool open = true)
    {
        openStdin = open;
        return this;
    }

    /// <summary>Validates and freezes the spec.</summary>
    public ContainerSpec Build()
    {
        if (string.IsNullOrWhiteSpace(image))
            throw new InvalidOperationException("a container spec needs an image (WithImage)");
        if (!NamePattern().IsMatch(namePrefix))
            throw new InvalidOperationException($"invalid container name prefix '{namePrefix}' (letters, digits, '_', '.', '-')");
        if (string.IsNullOrWhiteSpace(network))
            throw new InvalidOperationException("network mode is empty (use \"none\")");
        foreach (var bind in binds)
        {
            if (!Path.IsPathRooted(bind.HostPath) || !bind.ContainerPath.StartsWith('/'))
                throw new InvalidOperationException($"bind '{bind}' needs absolute host and container paths");
            if (bind.HostPath.Contains(':') || bind.ContainerPath.Contains(':'))
                throw new InvalidOperationException($"bind '{bind}' has a ':' in a path");
        }
        foreach (var device in devices)
            if (!device.HostPath.StartsWith('/') || !device.ContainerPath.StartsWith('/'))
                throw new InvalidOperationException($"device '{device}' needs absolute paths");

        return new ContainerSpec
        {
            Image = image,
            Command = [.. command],
            Entrypoint = entrypoint is null ? null : [.. entrypoint],
            Environment = new Dictionary<string, string>(environment),
            WorkingDirectory = workingDirectory,
            Binds = [.. binds],
            Devices = [.. devices],
            Labels = new Dictionary<string, string>(labels),
            NamePrefix = namePrefix,
            Network = network,
            UseKvm = useKvm,
            OpenStdin = openStdin,
        };
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex NamePattern();
}
