using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using KernelShim.Bindings;

namespace KernelShim.Harness.Agent;

/// <summary>
/// Encodes frames and checks them: the header is the generated
/// <see cref="kshim_frame_hdr"/>, the CRC is CRC-32/IEEE over the header
/// (crc32 zeroed) and the payload.
/// </summary>
public static class FrameCodec
{
    public static readonly int HeaderSize = Marshal.SizeOf<kshim_frame_hdr>();

    public static byte[] Encode(uint requestId, kshim_frame_type type, ReadOnlySpan<byte> payload)
    {
        if ((uint)payload.Length > KshimAgentProto.KSHIM_FRAME_MAX_PAYLOAD)
            throw new ArgumentException($"payload of {payload.Length} bytes exceeds the protocol limit");
        var frame = new byte[HeaderSize + payload.Length];
        var hdr = new kshim_frame_hdr
        {
            magic = KshimAgentProto.KSHIM_FRAME_MAGIC,
            length = (uint)payload.Length,
            req_id = requestId,
            type = (ushort)type,
        };
        MemoryMarshal.Write(frame, in hdr);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(CrcOffset), Checksum(frame));
        return frame;
    }

    /// <summary>CRC of a whole frame whose crc32 field is zero or is skipped.</summary>
    internal static uint Checksum(ReadOnlySpan<byte> frame)
    {
        var crc = new Crc32();
        crc.Append(frame[..CrcOffset]);
        crc.Append(stackalloc byte[4]);
        crc.Append(frame[(CrcOffset + 4)..]);
        return crc.GetCurrentHashAsUInt32();
    }

    internal static readonly int CrcOffset = (int)Marshal.OffsetOf<kshim_frame_hdr>(nameof(kshim_frame_hdr.crc32));
}
