using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Scale;

/// <summary>
/// A Docker endpoint made ready for VMs: a runner for it, the runner image
/// present on it, and the accelerator its VMs use.
/// </summary>
public sealed class VmPlace : IAsyncDisposable
{
    private VmPlace(DockerRunner runner, string image, AccelChoice accel)
    {
        Runner = runner;
        Image = image;
        Accel = accel;
    }

    public DockerEndpoint Endpoint => Runner.Endpoint;
    public DockerRunner Runner { get; }
    public string Image { get; }
    public AccelChoice Accel { get; }

    public IMachineBackend Backend() => new DockerQemuBackend(Runner, Image);

    /// <summary>Throws <see cref="RunnerException"/> when the engine or the image cannot be had.</summary>
    public static async Task<VmPlace> OpenAsync(DockerEndpoint endpoint, AccelMode accel, CancellationToken ct = default)
    {
        var choice = ChooseAccel(endpoint, accel);
        var runner = new DockerRunner(endpoint);
        try
        {
            var image = (await new RunnerImage(runner).EnsureAsync(null, ct).ConfigureAwait(false)).Tag;
            return new VmPlace(runner, image, choice);
        }
        catch
        {
            await runner.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// This host's CPU and /dev/kvm say whether KVM is usable for an engine on this machine
    /// (a unix socket, or tcp to a loopback address); another machine cannot be probed from
    /// here, so auto means TCG there.
    /// </summary>
    public static AccelChoice ChooseAccel(DockerEndpoint endpoint, AccelMode accel)
    {
        if (endpoint.IsOnThisMachine) return AccelSelector.Choose(accel, HostVirtualization.Probe());
        return accel == AccelMode.Kvm
            ? new AccelChoice(AccelMode.Kvm, $"requested; {endpoint.Uri.Host} not probed for VT-x/AMD-V")
            : new AccelChoice(AccelMode.Tcg, $"{(accel == AccelMode.Tcg ? "requested" : "auto")}: {endpoint.Uri.Host} is another machine and cannot be probed for VT-x/AMD-V");
    }

    public ValueTask DisposeAsync() => Runner.DisposeAsync();
}
