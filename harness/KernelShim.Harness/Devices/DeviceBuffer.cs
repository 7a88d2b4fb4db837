using System.Runtime.InteropServices;

namespace KernelShim.Harness.Devices;

/// <summary>Which way a buffer's bytes travel for one ioctl.</summary>
[Flags]
public enum BufferDirection
{
    In = 1,
    Out = 2,
    InOut = In | Out,
}

/// <summary>
/// A buffer an ioctl argument points to: the device stores the buffer's
/// address as a uint64_t at <see cref="PointerOffset"/> of the argument,
/// copies <see cref="Data"/> in (In) and back out (Out).  After the call the
/// pointer field holds what the caller put there.
/// </summary>
public sealed class DeviceBuffer(int pointerOffset, BufferDirection direction, byte[] data)
{
    public int PointerOffset { get; } = pointerOffset;
    public BufferDirection Direction { get; } = direction;
    public byte[] Data { get; } = data;

    /// <summary>A buffer of elements for the pointer field <paramref name="pointerField"/> of <typeparamref name="TArg"/>.</summary>
    public static DeviceBuffer Of<TArg, TElem>(string pointerField, BufferDirection direction, ReadOnlySpan<TElem> elements)
        where TArg : unmanaged where TElem : unmanaged =>
        new((int)Marshal.OffsetOf<TArg>(pointerField), direction, MemoryMarshal.AsBytes(elements).ToArray());

    /// <summary>An output buffer with room for <paramref name="count"/> elements.</summary>
    public static unsafe DeviceBuffer Room<TArg, TElem>(string pointerField, int count)
        where TArg : unmanaged where TElem : unmanaged =>
        new((int)Marshal.OffsetOf<TArg>(pointerField), BufferDirection.Out, new byte[checked(count * sizeof(TElem))]);

    /// <summary>The buffer's contents as elements.</summary>
    public TElem[] As<TElem>() where TElem : unmanaged => MemoryMarshal.Cast<byte, TElem>(Data).ToArray();
}
