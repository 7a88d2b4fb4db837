using System.Buffers.Binary;
using System.Runtime.InteropServices;
using KernelShim.Bindings;

namespace KernelShim.Harness.Agent;

/// <summary>
/// Incremental frame decoder with resynchronisation: bytes before a magic
/// are skipped; a bad length or CRC skips one byte and searches again, so a
/// good frame that follows a corrupted one is still found.
/// </summary>
public sealed class FrameDecoder
{
    private byte[] _buf = new byte[64 * 1024];
    private int _len;

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        if (_len + bytes.Length > _buf.Length)
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + bytes.Length));
        bytes.CopyTo(_buf.AsSpan(_len));
        _len += bytes.Length;
    }

    /// <summary>Bytes held back, waiting for the rest of a frame.</summary>
    public int Pending => _len;

    public bool TryRead(out DecodeEvent ev)
    {
        ev = null!;
        var data = _buf.AsSpan(0, _len);
        int at = FindMagic(data);
        if (at < 0)
        {
            // Keep up to 3 bytes: they may be the start of a magic.
            int keep = Math.Min(_len, 3);
            int dropped = _len - keep;
            Consume(dropped);
            if (dropped == 0) return false;
            ev = new DecodeEvent.Garbage(dropped);
            return true;
        }
        if (at > 0)
        {
            Consume(at);
            ev = new DecodeEvent.Garbage(at);
            return true;
        }
        if (_len < FrameCodec.HeaderSize) return false;
        var hdr = MemoryMarshal.Read<kshim_frame_hdr>(data);
        if (hdr.length > KshimAgentProto.KSHIM_FRAME_MAX_PAYLOAD)
        {
            Consume(1);
            ev = new DecodeEvent.Garbage(1);
            return true;
        }
        int total = FrameCodec.HeaderSize + (int)hdr.length;
        if (_len < total) return false;
        var frame = data[..total];
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(frame[FrameCodec.CrcOffset..]);
        if (crc != FrameCodec.Checksum(frame))
        {
            Consume(1);
            ev = new DecodeEvent.BadCrc(hdr.req_id, total);
            return true;
        }
        var payload = frame[FrameCodec.HeaderSize..].ToArray();
        Consume(total);
        ev = new DecodeEvent.Good(new Frame(hdr.req_id, (kshim_frame_type)hdr.type, payload));
        return true;
    }

    private static int FindMagic(ReadOnlySpan<byte> data)
    {
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, KshimAgentProto.KSHIM_FRAME_MAGIC);
        return data.IndexOf(magic);
    }

    private void Consume(int n)
    {
        Buffer.BlockCopy(_buf, n, _buf, 0, _len - n);
        _len -= n;
    }
}
