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

    /// <summary>
    /// How many times one request is sent before giving up.  Once the agent said
    /// ACCEPTED, a resend for silence no longer counts (the request is running).
    /// </summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>
    /// After ACCEPTED, how long a silence may last before the request is resent
    /// anyway (the replay cache answers it without running it again); the
    /// answer's transfer time comes on top.  Long, because the guest is busy:
    /// a resend then only costs a second copy of the answer.
    /// </summary>
    public TimeSpan AcceptedResendAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Send frames above KSHIM_PROGRESS_WINDOW in windows paced by the agent's
    /// PROGRESS frames when the agent speaks protocol 2.  Off: every frame in
    /// one piece, as for a protocol 1 agent.
    /// </summary>
    public bool Windowed { get; init; } = true;

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

    /// <summary><see cref="AcceptedResendAfter"/> with the answer's transfer time.</summary>
    public TimeSpan AcceptedResendAfterFor(int answerBytes) =>
        AcceptedResendAfter + TimeSpan.FromSeconds((double)answerBytes / LineBytesPerSecond);
}

/// <summary>Counters a report can show about the channel's health.</summary>
public sealed class AgentChannelStats
{
    public int FramesGood;
    public int FramesBadCrc;
    public int GarbageBytes;
    public int Naks;
    public int Resends;
    public int Accepted;
    public int WindowStalls;
}

/// <summary>
/// Speaks the framed protocol of kshim_agent_proto.h over a byte stream
/// (the guest's agent serial line).  One request is in flight at a time;
/// a corrupted or lost exchange is retried with the same request id, which
/// the agent answers from its replay cache, so nothing runs twice.  A
/// protocol 2 agent says ACCEPTED before it runs a request: from then on
/// the answer may take as long as the deadline allows.  It also reports
/// PROGRESS on long frames, which are then sent a window at a time so the
/// guest's tty queue never overflows.
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

    /// <summary>
    /// Ask the agent for its READY (a HELLO request): how a session binds to a guest that sent its
    /// unsolicited READY to someone else, e.g. one restored from a saved state.  The answer's boot
    /// id must be the session's, if it has one already.
    /// </summary>
    public async Task<ReadyInfo> HelloAsync(TimeSpan deadline, CancellationToken ct = default)
    {
        var answer = await RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, ReadOnlyMemory<byte>.Empty, deadline, ct).ConfigureAwait(false);
        var info = ReadyInfo.Parse(answer);
        if (Ready is { } before && before.BootId != info.BootId) throw new AgentRestartedException(before, info);
        return Ready ??= info;
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

    /// <summary>Why an attempt ended without an answer.</summary>
    private enum Miss { Silence, Garbled, Nak }

    /// <summary>What one request's attempts learnt from the agent.</summary>
    private sealed class Exchange(uint id, kshim_frame_type type, byte[] frame)
    {
        public uint Id { get; } = id;
        public kshim_frame_type Type { get; } = type;
        public byte[] Frame { get; } = frame;
        public bool Accepted { get; set; }
    }

    private async Task<byte[]> ExchangeAsync(kshim_frame_type type, ReadOnlyMemory<byte> payload,
        TimeSpan deadline, int answerBytes, CancellationToken ct)
    {
        uint id = _nextId++;
        var x = new Exchange(id, type, FrameCodec.Encode(id, type, payload.Span));
        using var whole = CancellationTokenSource.CreateLinkedTokenSource(ct);
        whole.CancelAfter(deadline);
        int attempts = 0, sends = 0;
        bool counts = true;
        try
        {
            while (true)
            {
                if (counts && ++attempts > _options.MaxAttempts)
                    throw new AgentTimeoutException($"{type} id={x.Id}: no valid answer after {_options.MaxAttempts} attempts");
                if (sends++ > 0) Stats.Resends++;
                bool windowed = _options.Windowed && Ready?.ProtocolVersion >= 2 &&
                    x.Frame.Length > KshimAgentProto.KSHIM_PROGRESS_WINDOW;
                // A windowed transfer moves as fast as the line does (18-50 KiB/s
                // measured, slower on a busy machine): while PROGRESS reports
                // come, the deadline restarts from each one, and once the frame
                // is all there, from then; a stalled transfer is ended by its
                // own stall timer.  The deadline so bounds the guest's silence,
                // never the line's speed.
                if (windowed ? !await SendWindowedAsync(x, whole.Token, () => whole.CancelAfter(deadline)).ConfigureAwait(false)
                             : !await SendWholeAsync(x.Frame, whole.Token).ConfigureAwait(false))
                {
                    counts = true;
                    continue;
                }
                if (windowed) whole.CancelAfter(deadline);
                // A windowed frame's transfer time was spent waiting for PROGRESS.
                int inFlight = windowed ? (int)KshimAgentProto.KSHIM_PROGRESS_WINDOW : x.Frame.Length;
                var (answer, miss) = await AwaitAnswerAsync(x, inFlight, answerBytes, whole.Token).ConfigureAwait(false);
                if (answer is not null) return answer;
                // Silence after ACCEPTED is a busy guest, not a lost frame.
                counts = !(miss == Miss.Silence && x.Accepted);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AgentTimeoutException(
                $"{type} id={x.Id}: no answer within {deadline.TotalSeconds:0.#} s{(x.Frame.Length > KshimAgentProto.KSHIM_PROGRESS_WINDOW ? " of the transfer's last progress" : "")} ({sends} send(s)" +
                (x.Accepted ? ", accepted by the agent)" : ")"));
        }
    }

    private async Task<bool> SendWholeAsync(byte[] frame, CancellationToken ct)
    {
        await SendAsync(frame, 0, frame.Length, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Send a frame no more than KSHIM_PROGRESS_WINDOW bytes ahead of what the
    /// agent reported receiving.  False when the reports stopped: the attempt
    /// failed.  The stall timer runs from the last report, after which nothing
    /// more was sent, so by then the agent has had more than its 2 s of silence
    /// and dropped the partial frame; the resend starts on a clean receiver.
    /// NAKs are ignored here: one may be a late answer to an earlier attempt,
    /// and a NAK of this one is followed by silence anyway.
    /// </summary>
    private async Task<bool> SendWindowedAsync(Exchange x, CancellationToken ct, Action onProgress)
    {
        int window = (int)KshimAgentProto.KSHIM_PROGRESS_WINDOW;
        int sent = 0, acked = 0;
        var stall = _options.ResendAfterFor(2 * window);
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quiet.CancelAfter(stall);
        while (true)
        {
            int upTo = Math.Min(x.Frame.Length, acked + window);
            if (upTo > sent)
            {
                await SendAsync(x.Frame, sent, upTo - sent, ct).ConfigureAwait(false);
                sent = upTo;
            }
            if (sent == x.Frame.Length) return true;
            DecodeEvent ev;
            try
            {
                ev = await NextEventAsync(quiet.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Stats.WindowStalls++;
                return false;
            }
            switch (ev)
            {
                case DecodeEvent.Good { Frame: var f } when f.Type == kshim_frame_type.KSHIM_FRAME_READY:
                    CheckReady(f);
                    break;
                case DecodeEvent.Good { Frame: var f } when f.RequestId == x.Id && f.Type == kshim_frame_type.KSHIM_FRAME_PROGRESS:
                    // Never beyond what was sent: a report about an earlier attempt's
                    // partial frame must not open the window further.
                    if (ProgressInfo.Parse(f.Payload, x.Frame.Length) is { } p && p.Have > acked && p.Have <= sent)
                    {
                        acked = (int)p.Have;
                        quiet.CancelAfter(stall);
                        onProgress();
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private void CheckReady(Frame f)
    {
        var now = ReadyInfo.Parse(f.Payload);
        if (Ready is { } before && before.BootId != now.BootId)
            throw new AgentRestartedException(before, now);
        Ready ??= now;
    }

    /// <summary>The answer's payload, or why the request must be resent.</summary>
    private async Task<(byte[]? Answer, Miss Miss)> AwaitAnswerAsync(Exchange x, int requestBytes, int answerBytes,
        CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(x.Accepted ? _options.AcceptedResendAfterFor(answerBytes)
                                       : _options.ResendAfterFor(requestBytes, answerBytes));
        while (true)
        {
            DecodeEvent ev;
            try
            {
                ev = await NextEventAsync(attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return (null, Miss.Silence); // the request or its answer was lost, or a long run
            }
            switch (ev)
            {
                case DecodeEvent.BadCrc:
                    return (null, Miss.Garbled); // most likely our answer: ask for the replay
                case DecodeEvent.Good { Frame: var f } when f.Type == kshim_frame_type.KSHIM_FRAME_READY:
                    CheckReady(f);
                    break;
                case DecodeEvent.Good { Frame: var f } when f.RequestId == x.Id && f.Type == kshim_frame_type.KSHIM_FRAME_ACCEPTED:
                    if (f.Payload.Length == 0 && !x.Accepted)
                    {
                        // Running now: wait as long as a busy guest needs.
                        x.Accepted = true;
                        Stats.Accepted++;
                        attempt.CancelAfter(_options.AcceptedResendAfterFor(answerBytes));
                    }
                    break;
                case DecodeEvent.Good { Frame: var f } when f.RequestId == x.Id && f.Type == kshim_frame_type.KSHIM_FRAME_NAK:
                    Stats.Naks++;
                    return (null, Miss.Nak);
                case DecodeEvent.Good { Frame: var f } when f.RequestId == x.Id && f.Type == kshim_frame_type.KSHIM_FRAME_PROGRESS:
                    break; // the rest of a window already sent
                case DecodeEvent.Good { Frame: var f } when f.RequestId == x.Id:
                    if (!f.IsResponseTo(x.Type))
                        throw new AgentProtocolException($"request {x.Type} id={x.Id} answered with {f.Type}");
                    return (f.Payload, Miss.Silence);
                default:
                    break; // stale answers to earlier ids (replays), garbage
            }
        }
    }

    private async Task SendAsync(byte[] frame, int offset, int count, CancellationToken ct)
    {
        if (_closed) throw new AgentConnectionLostException("agent channel closed");
        try
        {
            await _stream.WriteAsync(frame.AsMemory(offset, count), ct).ConfigureAwait(false);
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
