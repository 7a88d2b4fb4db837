using System.Runtime.InteropServices;
using KernelShim.Bindings;
using KernelShim.Harness.Agent;

namespace KernelShim.Harness.Tests.Agent;

/// <summary>
/// An in-memory agent for client unit tests: answers HELLO and IOCTL(VERSION)
/// like the real ones, and misbehaves on command (garble, NAK, drop, restart,
/// hang up, run slowly).  Executions are counted so tests can prove nothing
/// ran twice.  As protocol 2 (the default) it says ACCEPTED before it runs a
/// new request and reports PROGRESS on long frames, as native/proto does; as
/// protocol 1 it does neither.
/// </summary>
internal sealed class ScriptedAgent : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private (uint Id, byte[] Frame)? _last;

    public ScriptedAgent(Stream stream, ulong bootId = 0x1111, uint protocolVersion = KshimAgentProto.KSHIM_PROTO_VERSION)
    {
        _stream = stream;
        BootId = bootId;
        ProtocolVersion = protocolVersion;
        _loop = Task.Run(LoopAsync);
    }

    public ulong BootId { get; private set; }
    public int Executions { get; private set; }
    public int GarbleNextAnswers { get; set; }
    public int NakNext { get; set; }
    public int DropNextRequests { get; set; }
    public bool RestartOnNextRequest { get; set; }
    public bool HangUpOnNextRequest { get; set; }
    public uint ProtocolVersion { get; }
    /// <summary>How long a new request runs (after ACCEPTED); the line is not read meanwhile.</summary>
    public TimeSpan ExecutionTime { get; set; }
    /// <summary>Answers to drop after running the request (replays too): a lost answer.</summary>
    public int DropNextAnswers { get; set; }
    /// <summary>A slow reader: a pause before every read, so the host's bytes pile up.</summary>
    public TimeSpan ReadPause { get; set; }
    public int ProgressSent { get; private set; }
    /// <summary>The most bytes of one frame that arrived beyond the last PROGRESS.</summary>
    public long MostBeyondProgress { get; private set; }

    /// <summary>The last MODULE request, as the agent decoded it.</summary>
    public (kshim_module_op Op, string Path)? LastModule { get; private set; }

    public Task SendReadyAsync() => WriteAsync(FrameCodec.Encode(0, kshim_frame_type.KSHIM_FRAME_READY, Ready()));

    private unsafe byte[] Ready()
    {
        var r = new kshim_ready { proto_version = ProtocolVersion, agent_kind = (uint)uvmshim_target.UVMSHIM_TARGET_TESTGUEST, boot_id = BootId };
        var name = "scripted 1"u8;
        for (int i = 0; i < name.Length; i++) r.os_version[i] = (sbyte)name[i];
        return MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_ready>(in r)).ToArray();
    }

    private async Task LoopAsync()
    {
        var decoder = new FrameDecoder();
        // Large: one read takes whatever the host has sent, so
        // MostBeyondProgress sees everything in flight.
        var buf = new byte[1 << 20];
        // The line since the current frame began (tests send no garbage).
        var line = new MemoryStream();
        long reported = 0;
        try
        {
            while (true)
            {
                if (ReadPause > TimeSpan.Zero)
                    await Task.Delay(ReadPause, _stop.Token);
                int n = await _stream.ReadAsync(buf, _stop.Token);
                if (n == 0) return;
                line.Write(buf, 0, n);
                decoder.Feed(buf.AsSpan(0, n));
                while (decoder.TryRead(out var ev))
                {
                    if (ev is not DecodeEvent.Good g) continue;
                    var rest = line.ToArray()[(FrameCodec.HeaderSize + g.Frame.Payload.Length)..];
                    line = new MemoryStream();
                    line.Write(rest);
                    reported = 0;
                    await HandleAsync(g.Frame);
                }
                if (ProtocolVersion >= 2)
                    reported = await ReportProgressAsync(line, reported);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException) { }
    }

    /// <summary>PROGRESS as native/proto sends it: every KSHIM_PROGRESS_EVERY bytes of a frame.</summary>
    private async Task<long> ReportProgressAsync(MemoryStream line, long reported)
    {
        long have = line.Length;
        if (have <= FrameCodec.HeaderSize) return reported;
        var hdr = MemoryMarshal.Read<kshim_frame_hdr>(line.GetBuffer().AsSpan(0, FrameCodec.HeaderSize));
        long need = FrameCodec.HeaderSize + hdr.length;
        MostBeyondProgress = Math.Max(MostBeyondProgress, Math.Min(have, need) - reported);
        if (have >= need || have - reported < KshimAgentProto.KSHIM_PROGRESS_EVERY) return reported;
        var p = new kshim_progress { have = (uint)have, need = (uint)need };
        await WriteAsync(FrameCodec.Encode(hdr.req_id, kshim_frame_type.KSHIM_FRAME_PROGRESS,
            MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_progress>(in p))));
        ProgressSent++;
        return have;
    }

    private async Task HandleAsync(Frame req)
    {
        if (HangUpOnNextRequest) { await _stream.DisposeAsync(); return; }
        if (DropNextRequests > 0) { DropNextRequests--; return; }
        if (NakNext > 0)
        {
            NakNext--;
            await WriteAsync(FrameCodec.Encode(req.RequestId, kshim_frame_type.KSHIM_FRAME_NAK, new byte[8]));
            return;
        }
        if (RestartOnNextRequest)
        {
            RestartOnNextRequest = false;
            BootId++;
            _last = null;
            await SendReadyAsync();
            return;
        }
        byte[] answer;
        if (_last is { } last && last.Id == req.RequestId)
            answer = last.Frame; // replay: never execute twice
        else
        {
            if (ProtocolVersion >= 2)
                await WriteAsync(FrameCodec.Encode(req.RequestId, kshim_frame_type.KSHIM_FRAME_ACCEPTED, []));
            if (ExecutionTime > TimeSpan.Zero)
                await Task.Delay(ExecutionTime);
            Executions++;
            answer = FrameCodec.Encode(req.RequestId, req.Type | kshim_frame_type.KSHIM_FRAME_RESPONSE, Execute(req));
            _last = (req.RequestId, answer);
        }
        if (DropNextAnswers > 0)
        {
            DropNextAnswers--;
            return;
        }
        if (GarbleNextAnswers > 0)
        {
            GarbleNextAnswers--;
            var copy = (byte[])answer.Clone();
            copy[^1] ^= 0xff;
            await WriteAsync(copy);
            return;
        }
        await WriteAsync(answer);
    }

    private byte[] Execute(Frame req) => req.Type switch
    {
        kshim_frame_type.KSHIM_FRAME_HELLO => Ready(),
        kshim_frame_type.KSHIM_FRAME_IOCTL => ExecuteIoctl(req.Payload),
        kshim_frame_type.KSHIM_FRAME_MODULE => ExecuteModule(req.Payload),
        _ => new byte[8],
    };

    /// <summary>Records the request; answers like the test guest: HOLD twice is EALREADY.</summary>
    private unsafe byte[] ExecuteModule(byte[] payload)
    {
        var m = MemoryMarshal.Read<kshim_module_req>(payload);
        var path = new string((sbyte*)m.path);
        LastModule = ((kshim_module_op)m.op, path);
        bool again = (kshim_module_op)m.op == kshim_module_op.KSHIM_MODULE_HOLD && _held;
        _held |= (kshim_module_op)m.op == kshim_module_op.KSHIM_MODULE_HOLD;
        var status = new kshim_status { error = again ? KshimAgentProto.KSHIM_EALREADY : 0 };
        return MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_status>(in status)).ToArray();
    }

    private bool _held;

    private static unsafe byte[] ExecuteIoctl(byte[] payload)
    {
        var r = MemoryMarshal.Read<kshim_ioctl_req>(payload);
        var arg = payload.AsSpan(sizeof(kshim_ioctl_req) + (int)r.nbufs * sizeof(kshim_buf_desc), (int)r.arg_len).ToArray();
        int error = UvmshimIoctl.UVMSHIM_ENOTTY;
        if (r.cmd == UvmshimIoctl.UVMSHIM_IOC_VERSION)
        {
            var v = new uvmshim_version { abi_version = UvmshimIoctl.UVMSHIM_ABI_VERSION, target = (uint)uvmshim_target.UVMSHIM_TARGET_TESTGUEST, page_size = 4096 };
            MemoryMarshal.Write(arg, in v);
            error = 0;
        }
        var resp = new kshim_ioctl_resp { error = error, arg_len = r.arg_len, nsec = 1000 };
        return [.. MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_ioctl_resp>(in resp)), .. arg];
    }

    private async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _stream.DisposeAsync(); } catch (ObjectDisposedException) { }
        try { await _loop; } catch (OperationCanceledException) { }
    }
}
