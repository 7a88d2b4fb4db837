namespace KernelShim.Harness.Devices;

/// <summary>An ioctl that returned an errno where the caller expected success.</summary>
public sealed class UvmshimException(string operation, int errno)
    : Exception($"{operation}: {Devices.Errno.Name(errno)} ({errno})")
{
    public string Operation { get; } = operation;
    public int Errno { get; } = errno;
}
