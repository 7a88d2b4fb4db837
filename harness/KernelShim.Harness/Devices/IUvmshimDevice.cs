namespace KernelShim.Harness.Devices;

/// <summary>
/// Something that answers the uvmshim ioctls of native/include/uvmshim_ioctl.h:
/// the reference model in-process, or the kernel module behind a guest agent.
/// Arguments are the generated structs; buffers that an argument points to
/// travel as <see cref="DeviceBuffer"/>s, never as raw pointers, because a
/// guest's memory is not ours.  Returns 0 or a NetBSD errno (UVMSHIM_E*).
/// </summary>
public interface IUvmshimDevice : IDisposable
{
    /// <summary>Which kind of target answers: model, kernel or test guest.</summary>
    DeviceKind Kind { get; }

    /// <summary>One line for reports, e.g. "model (libkshim_model)".</summary>
    string Description { get; }

    /// <summary>
    /// Most ops worth sending in one batch: the ABI's limit in-process; far
    /// fewer over a serial line without flow control (NetBSD's tty drops its
    /// whole input queue when a frame outruns the reader).
    /// </summary>
    int PreferredBatchOps { get; }

    /// <summary>ioctl(2) with an argument that may point at buffers.</summary>
    int Ioctl<T>(uint cmd, ref T arg, params DeviceBuffer[] buffers) where T : unmanaged;
}

/// <summary>Where the ioctls are answered.</summary>
public enum DeviceKind
{
    Model,
    Kernel,
    TestGuest,
}
