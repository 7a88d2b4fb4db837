using Docker.DotNet.Models;

namespace KernelShim.Harness.Runner;

/// <summary>Maps a <see cref="ContainerSpec"/> plus the session labels onto Docker's create request.</summary>
internal static class ContainerParameters
{
    public static CreateContainerParameters From(ContainerSpec spec, HarnessSession session, string name)
    {
        var labels = new Dictionary<string, string>(spec.Labels);
        foreach (var (key, value) in session.Labels)
            labels[key] = value;

        return new CreateContainerParameters
        {
            Name = name,
            Image = spec.Image,
            Cmd = spec.Command.Count > 0 ? [.. spec.Command] : null!, // null: the image's CMD
            Entrypoint = spec.Entrypoint is null ? null! : [.. spec.Entrypoint],
            Env = [.. spec.Environment.Select(e => $"{e.Key}={e.Value}")],
            WorkingDir = spec.WorkingDirectory ?? "",
            Labels = labels,
            Tty = false,
            AttachStdout = true,
            AttachStderr = true,
            AttachStdin = spec.OpenStdin,
            OpenStdin = spec.OpenStdin,
            StdinOnce = spec.OpenStdin,
            NetworkDisabled = spec.Network == ContainerSpec.NoNetwork ? true : null,
            HostConfig = new HostConfig
            {
                NetworkMode = spec.Network,
                Binds = [.. spec.Binds.Select(b => b.ToDockerBind())],
                Devices = [.. spec.AllDevices.Select(d => new DeviceMapping
                {
                    PathOnHost = d.HostPath,
                    PathInContainer = d.ContainerPath,
                    CgroupPermissions = d.Permissions,
                })],
                AutoRemove = false,
            },
        };
    }
}
