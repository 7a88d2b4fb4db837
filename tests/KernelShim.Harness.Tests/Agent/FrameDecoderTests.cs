using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Agent;

[TestFixture, Category("Unit")]
public class FrameDecoderTests
{
    private static List<DecodeEvent> Drain(FrameDecoder d)
    {
        var all = new List<DecodeEvent>();
        while (d.TryRead(out var ev)) all.Add(ev);
        return all;
    }

    [Test]
    public void RoundTrip()
    {
        var bytes = FrameCodec.Encode(7, kshim_frame_type.KSHIM_FRAME_HELLO, [1, 2, 3]);
        var d = new FrameDecoder();
        d.Feed(bytes);
        var ev = Drain(d).Single();
        var f = ((DecodeEvent.Good)ev).Frame;
        Assert.That(f.RequestId, Is.EqualTo(7u));
        Assert.That(f.Type, Is.EqualTo(kshim_frame_type.KSHIM_FRAME_HELLO));
        Assert.That(f.Payload, Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void CrcMatchesZlibCrc32()
    {
        // An empty HELLO frame, id 1; the CRC below was computed with Python's zlib.crc32
        // over the header with its crc field zeroed.
        var bytes = FrameCodec.Encode(1, kshim_frame_type.KSHIM_FRAME_HELLO, []);
        Assert.That(Convert.ToHexString(bytes), Is.EqualTo("4B53484D000000000100000002000000" + "29CA3D10" + "00000000"));
    }

    [Test]
    public void ByteByByteFeedingYieldsTheFrame()
    {
        var bytes = FrameCodec.Encode(3, kshim_frame_type.KSHIM_FRAME_IOCTL, new byte[100]);
        var d = new FrameDecoder();
        var events = new List<DecodeEvent>();
        foreach (var b in bytes)
        {
            d.Feed([b]);
            events.AddRange(Drain(d));
        }
        Assert.That(events.OfType<DecodeEvent.Good>().Single().Frame.Payload, Has.Length.EqualTo(100));
        Assert.That(d.Pending, Is.Zero);
    }

    [Test]
    public void GarbageBeforeAFrameIsSkippedAndCounted()
    {
        var d = new FrameDecoder();
        d.Feed("boot chatter\r\n"u8);
        d.Feed(FrameCodec.Encode(1, kshim_frame_type.KSHIM_FRAME_READY, [9]));
        var events = Drain(d);
        Assert.That(events.OfType<DecodeEvent.Garbage>().Sum(g => g.Bytes), Is.EqualTo(14));
        Assert.That(events.OfType<DecodeEvent.Good>().Count(), Is.EqualTo(1));
    }

    [Test]
    public void CorruptedFrameIsReportedAndTheNextOneStillDecodes()
    {
        var bad = FrameCodec.Encode(5, kshim_frame_type.KSHIM_FRAME_IOCTL, [1, 2, 3, 4]);
        bad[^2] ^= 0x40;
        var good = FrameCodec.Encode(6, kshim_frame_type.KSHIM_FRAME_IOCTL, [5]);
        var d = new FrameDecoder();
        d.Feed(bad);
        d.Feed(good);
        var events = Drain(d);
        Assert.That(events.OfType<DecodeEvent.BadCrc>().Single().ClaimedRequestId, Is.EqualTo(5u));
        Assert.That(events.OfType<DecodeEvent.Good>().Single().Frame.RequestId, Is.EqualTo(6u));
    }

    [Test]
    public void AbsurdLengthIsSkipped()
    {
        var bad = FrameCodec.Encode(5, kshim_frame_type.KSHIM_FRAME_IOCTL, []);
        BitConverter.TryWriteBytes(bad.AsSpan(4), KshimAgentProto.KSHIM_FRAME_MAX_PAYLOAD + 1);
        var d = new FrameDecoder();
        d.Feed(bad);
        d.Feed(FrameCodec.Encode(6, kshim_frame_type.KSHIM_FRAME_HELLO, []));
        var events = Drain(d);
        Assert.That(events.OfType<DecodeEvent.Good>().Single().Frame.RequestId, Is.EqualTo(6u));
        Assert.That(events.OfType<DecodeEvent.BadCrc>(), Is.Empty);
    }
}
