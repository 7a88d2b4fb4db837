using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using KernelShim.Bindings;

namespace KernelShim.Harness.Agent;

/// <summary>Tunables of <see cref="AgentClient"/>.</summary>
public sealed record AgentClientOptions
{
    /// <summary>Resend a request that got no answer at all within this time.</summary>
    public TimeSpan ResendAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How many times one request is sent before giving up.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>
    /// The serial line's slowest direction (QEMU's 16550 moves about 220 KiB/s into a
    /// guest): a frame's own transfer time is added to <see cref="ResendAfter"/>.
    /// </summary>
    public int LineBytesPerSecond { get; init; } = 50_000;

    /// <summary>
    /// How long to wait for an answer before resending: both frames' transfer
    /// time on top of <see cref="ResendAfter"/>.  Resending too early only adds
    /// traffic (NetBSD's com driver then floods its input buffer).
    /// </summary>
    public TimeSpan ResendAfterFor(int requestBytes, int answerBytes = 0) =>
        ResendAfter + TimeSpan.FromSeconds((double)(requestBytes + answerBytes) / LineBytesPerSecond);
}

/// <summary>Counters a report can show about the channel's health.</summary>
public sealed class AgentChannelStats
{
    public int FramesGood;
    public int FramesBadCrc;
    public int GarbageBytes;
    public int Naks;
    public int Resends;
}

/// <summary>
/// Speaks the framed protocol of kshim_agent_proto.h over a byte stream
/// (the guest's agent serial line).  One request is in flight at a time;
/// a corrupted or lost exchange is retried with the same request id, which
/// the agent answers from its replay cache, so nothing runs twice.
/// </summary>
public sealed class AgentClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly AgentClientOptions _options;
    private readonly FrameDecoder _decoder = new();
    private readonly Channel<DecodeEvent> _events = Channel.CreateUnbounded<DecodeEvent>();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private uint _nextId = 1;
    private volatile bool _closed;

    public AgentClient(Stream stream, AgentClientOptions? options = null)
    {
        _stream = stream;
        _options = options ?? new AgentClientOptions();
        _reader = Task.Run(ReadLoopAsync);
    }

    public AgentChannelStats Stats { get; } = new();

    /// <summary>The READY this session is bound to (set by <see cref="WaitReadyAsync"/>).</summary>
    public ReadyInfo? Ready { get; private set; }

    /// <summary>Wait for the agent's unsolicited READY frame.</summary>
    public async Task<ReadyInfo> WaitReadyAsync(TimeSpan deadline, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(deadline);
        try
        {
            while (true)
            {
                var ev = await NextEventAsync(cts.Token).ConfigureAwait(false);
                if (ev is DecodeEvent.Good { Frame.Type: kshim_frame_type.KSHIM_FRAME_READY } g)
                    return Ready = ReadyInfo.Parse(g.Frame.Payload);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AgentTimeoutException($"no READY from the agent within {deadline.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Send one request and return the matching answer's payload.</summary>
    /// <param name="answerBytes">The answer's expected size, when known: it stretches the resend timer.</param>
    public async Task<byte[]> RequestAsync(kshim_frame_type type, ReadOnlyMemory<byte> payload,
        TimeSpan deadline, CancellationToken ct = default, int answerBytes = 0)
    {
        await _oneAtATime.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await ExchangeAsync(type, payload, deadline, answerBytes, ct).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>The module both agents load at boot; its device is /dev/uvmshim.</summary>
    public const string UvmshimModulePath = "/stand/uvmshim.kmod";

    /// <summary>How long a MODULE request may take (modctl and mknod in a slow guest).</summary>
    public static readonly TimeSpan ModuleDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A MODULE request: load or unload a module, or hold its device open and release
    /// it.  Returns the errno the agent answered (NetBSD's numbers, 0 on success).
    /// </summary>
    public async Task<int> ModuleAsync(kshim_module_op op, string path = UvmshimModulePath,
        CancellationToken ct = default)
    {
        var answer = await RequestAsync(kshim_frame_type.KSHIM_FRAME_MODULE, EncodeModule(op, path),
            ModuleDeadline, ct).ConfigureAwait(false);
        return StatusOf(kshim_frame_type.KSHIM_FRAME_MODULE, answer);
    }

    /// <summary>
    /// Hold the module's device open apart from the descriptor ioctls use, so that an
    /// unload must fail with EBUSY (the module may not go while its device is open).
    /// 0, KSHIM_EALREADY when held already, or open(2)'s errno.
    /// </summary>
    public Task<int> HoldDeviceAsync(string path = UvmshimModulePath, CancellationToken ct = default) =>
        ModuleAsync(kshim_module_op.KSHIM_MODULE_HOLD, path, ct);

    /// <summary>Close what <see cref="HoldDeviceAsync"/> opened: 0, or KSHIM_EBADF when nothing is held.</summary>
    public Task<int> ReleaseDeviceAsync(string path = UvmshimModulePath, CancellationToken ct = default) =>
        ModuleAsync(kshim_module_op.KSHIM_MODULE_RELEASE, path, ct);

    /// <summary>The errno of an answer that is a struct kshim_status.</summary>
    public static unsafe int StatusOf(kshim_frame_type request, byte[] answer)
    {
        if (answer.Length != sizeof(kshim_status))
            throw new AgentProtocolException($"{request} answered with {answer.Length} bytes, not a status");
        return MemoryMarshal.Read<kshim_status>(answer).error;
    }

    private static unsafe byte[] EncodeModule(kshim_module_op op, string path)
    {
        var name = Encoding.UTF8.GetBytes(path);
        var req = new kshim_module_req { op = (uint)op };
        // The agents NAK a path that is empty or fills the field without a NUL.
        if (name.Length == 0 || name.Length >= 64)
            throw new ArgumentException($"a module path of 1 to 63 bytes, not \"{path}\"", nameof(path));
        for (int i = 0; i < name.Length; i++) req.path[i] = (sbyte)name[i];
        return MemoryMarshal.AsBytes(new ReadOnlySpan<kshim_module_req>(in req)).ToArray();
    }

    private async Task<byte[]> ExchangeAsync(kshim_frame_type type, ReadOnlyMemory<byte> payload,
        TimeSpan deadline, int answerBytes, CancellationToken ct)
    {
        uint id = _nextId++;
        var frame = FrameCodec.Encode(id, type, payload.Span);
        using var whole = CancellationTokenSource.CreateLinkedTokenSource(ct);
        whole.CancelAfter(deadline);
        int attempts = 0;
        try
        {
            while (true)
            {
                if (++attempts > _options.MaxAttempts)
                    throw new AgentTimeoutException($"{type} id={id}: no valid answer after {_options.MaxAttempts} attempts");
                if (attempts > 1) Stats.Resends++;
                await SendAsync(frame, whole.Token).ConfigureAwait(false);
                var answer = await AwaitAnswerAsync(id, type, _options.ResendAfterFor(frame.Length, answerBytes), whole.Token).ConfigureAwait(false);
                if (answer is not null) return answer;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AgentTimeoutException(
                $"{type} id={id}: no answer within {deadline.TotalSeconds:0.#} s ({attempts} attempt(s))");
        }
    }

    /// <summary>The answer's payload, or null when the request must be resent.</summary>
    private async Task<byte[]?> AwaitAnswerAsync(uint id, kshim_frame_type type, TimeSpan resendAfter, CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(resendAfter);
        while (true)
        {
            DecodeEvent ev;
            try
            {
                ev = await NextEventAsync(attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null; // silence: the request or its answer was lost
            }
            switch (ev)
            {
                case DecodeEvent.BadCrc:
                    return null; // most likely our answer, garbled: ask again
                case DecodeEvent.Good { Frame: var f } when f.Type == kshim_frame_type.KSHIM_FRAME_READY:
                    var now = ReadyInfo.Parse(f.Payload);
                    if (Ready is { } before && before.BootId != now.BootId)
                        throw new AgentRestartedException(before, now);
                    Ready ??= now;
                    break;
                case DecodeEvent.Good { Frame: var f } when f.RequestId == id && f.Type == kshim_frame_type.KSHIM_FRAME_NAK:
                    Stats.Naks++;
                    return null;
                case DecodeEvent.Good { Frame: var f } when f.RequestId == id:
                    if (!f.IsResponseTo(type))
                        throw new AgentProtocolException($"request {type} id={id} answered with {f.Type}");
                    return f.Payload;
                default:
                    break; // stale answers to earlier ids (replays), garbage
            }
        }
    }

    private async Task SendAsync(byte[] frame, CancellationToken ct)
    {
        if (_closed) throw new AgentConnectionLostException("agent channel closed");
        try
        {
            await _stream.WriteAsync(frame, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new AgentConnectionLostException($"agent channel write failed: {e.Message}");
        }
    }

    private async Task<DecodeEvent> NextEventAsync(CancellationToken ct)
    {
        try
        {
            return await _events.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new AgentConnectionLostException("agent channel closed (the VM stopped or QEMU exited)");
        }
    }

    private async Task ReadLoopAsync()
    {
        var buf = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = await _stream.ReadAsync(buf, _stop.Token).ConfigureAwait(false);
                if (n == 0) break;
                _decoder.Feed(buf.AsSpan(0, n));
                while (_decoder.TryRead(out var ev))
                {
                    Count(ev);
                    _events.Writer.TryWrite(ev);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _closed = true;
            _events.Writer.TryComplete();
        }
    }

    private void Count(DecodeEvent ev)
    {
        switch (ev)
        {
            case DecodeEvent.Good: Stats.FramesGood++; break;
            case DecodeEvent.BadCrc: Stats.FramesBadCrc++; break;
            case DecodeEvent.Garbage g: Stats.GarbageBytes += g.Bytes; break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try { await _reader.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
        _oneAtATime.Dispose();
    }
}
