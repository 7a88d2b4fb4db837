using System.Runtime.InteropServices;
using KernelShim.Bindings;
using KernelShim.Harness.Agent;

namespace KernelShim.Harness.Devices;

/// <summary>
/// The uvmshim device of a guest, reached through its agent: each ioctl
/// becomes one IOCTL frame (struct kshim_ioctl_req, buffer descriptors,
/// argument, input buffers) and its answer.
/// </summary>
public sealed unsafe class AgentDevice(AgentClient client, DeviceKind kind, string description) : IUvmshimDevice
{
    /// <summary>Deadline of one ioctl round trip (the cycle ioctl can take bound + hold).</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(30);

    public DeviceKind Kind { get; } = kind;

    /// <summary>
    /// 2048 ops: 64 KiB frames.  A protocol 2 agent paces larger ones with PROGRESS
    /// (1 MiB measured at 26 KiB/s on NetBSD 7.99.4 under TCG); a protocol 1 agent
    /// loses frames above about 256 KiB to its flushed tty queue.
    /// </summary>
    public int PreferredBatchOps { get; init; } = 2048;
    public string Description { get; } = description;

    /// <summary>Time the agent reported for the last ioctl(2) itself, without the serial round trip.</summary>
    public ulong LastGuestNanoseconds { get; private set; }

    public int Ioctl<T>(uint cmd, ref T arg, params DeviceBuffer[] buffers) where T : unmanaged
    {
        var request = Encode(cmd, ref arg, buffers);
        // Big buffers take seconds on a serial line: the deadline grows with them, at the line's measured speed.
        int outBytes = buffers.Where(b => b.Direction.HasFlag(BufferDirection.Out)).Sum(b => b.Data.Length);
        var deadline = Deadline + TimeSpan.FromSeconds((request.Length + outBytes) / client.Meter.CautiousBytesPerSecond(50_000));
        var answer = client.RequestAsync(kshim_frame_type.KSHIM_FRAME_IOCTL, request, deadline,
            answerBytes: sizeof(kshim_ioctl_resp) + sizeof(T) + outBytes, work: Work(cmd, ref arg)).GetAwaiter().GetResult();
        return Decode(answer, ref arg, buffers);
    }

    /// <summary>
    /// How long an ioctl itself may run, for the client's hang detection: a STRESS its
    /// duration; a CYCLE as long as the deadline (setting it up takes memory away for
    /// seconds, and the module's own watchdog bounds it and reports on the console);
    /// anything else no time of its own (microseconds to milliseconds of work).
    /// </summary>
    private static TimeSpan Work<T>(uint cmd, ref T arg) where T : unmanaged
    {
        if (cmd == UvmshimIoctl.UVMSHIM_IOC_CYCLE) return Timeout.InfiniteTimeSpan;
        if (cmd == UvmshimIoctl.UVMSHIM_IOC_STRESS && arg is uvmshim_stress s) return TimeSpan.FromMilliseconds(s.duration_ms);
        return TimeSpan.Zero;
    }

    private static byte[] Encode<T>(uint cmd, ref T arg, DeviceBuffer[] buffers) where T : unmanaged
    {
        if (buffers.Length > KshimAgentProto.KSHIM_MAX_BUFS)
            throw new ArgumentException($"at most {KshimAgentProto.KSHIM_MAX_BUFS} buffers per ioctl");
        int inBytes = buffers.Where(b => b.Direction.HasFlag(BufferDirection.In)).Sum(b => b.Data.Length);
        var ms = new MemoryStream(sizeof(kshim_ioctl_req) + buffers.Length * sizeof(kshim_buf_desc) + sizeof(T) + inBytes);
        var req = new kshim_ioctl_req { cmd = cmd, arg_len = (uint)sizeof(T), nbufs = (uint)buffers.Length };
        ms.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_ioctl_req>(in req)));
        foreach (var b in buffers)
        {
            var d = new kshim_buf_desc
            {
                ptr_offset = (uint)b.PointerOffset,
                dir = (b.Direction.HasFlag(BufferDirection.In) ? KshimAgentProto.KSHIM_BUF_IN : 0u)
                    | (b.Direction.HasFlag(BufferDirection.Out) ? KshimAgentProto.KSHIM_BUF_OUT : 0u),
                len = (uint)b.Data.Length,
            };
            ms.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_buf_desc>(in d)));
        }
        ms.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in arg)));
        foreach (var b in buffers.Where(b => b.Direction.HasFlag(BufferDirection.In)))
            ms.Write(b.Data);
        return ms.ToArray();
    }

    private int Decode<T>(byte[] answer, ref T arg, DeviceBuffer[] buffers) where T : unmanaged
    {
        int head = sizeof(kshim_ioctl_resp);
        if (answer.Length < head)
            throw new AgentProtocolException($"IOCTL answer of {answer.Length} bytes");
        var resp = MemoryMarshal.Read<kshim_ioctl_resp>(answer);
        LastGuestNanoseconds = resp.nsec;
        int outBytes = buffers.Where(b => b.Direction.HasFlag(BufferDirection.Out)).Sum(b => b.Data.Length);
        if (resp.arg_len != sizeof(T) || answer.Length != head + sizeof(T) + outBytes)
            throw new AgentProtocolException(
                $"IOCTL answer: arg_len {resp.arg_len} (expected {sizeof(T)}), {answer.Length} bytes (expected {head + sizeof(T) + outBytes})");
        arg = MemoryMarshal.Read<T>(answer.AsSpan(head));
        int at = head + sizeof(T);
        foreach (var b in buffers.Where(b => b.Direction.HasFlag(BufferDirection.Out)))
        {
            answer.AsSpan(at, b.Data.Length).CopyTo(b.Data);
            at += b.Data.Length;
        }
        return resp.error;
    }

    public void Dispose() { }
}
