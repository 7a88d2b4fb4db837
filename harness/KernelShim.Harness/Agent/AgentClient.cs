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
    /// <remarks>
    /// Doubled for each attempt already made, so that a guest starved of CPU on
    /// a busy machine gets longer and longer to say ACCEPTED rather than a
    /// fixed number of short chances.
    /// </remarks>
    public TimeSpan ResendAfterFor(int requestBytes, int answerBytes = 0, int attempt = 1) =>
        (ResendAfter + TimeSpan.FromSeconds((double)(requestBytes + answerBytes) / LineBytesPerSecond))
        * Math.Pow(2, Math.Clamp(attempt - 1, 0, 6));

    /// <summary><see cref="AcceptedResendAfter"/> with the answer's transfer time.</summary>
    public TimeSpan AcceptedResendAfterFor(int answerBytes) =>
        AcceptedResendAfter + TimeSpan.FromSeconds((double)answerBytes / LineBytesPerSecond);

    /// <summary>
    /// With a <see cref="AgentClient.HangProbe"/>: an accepted request whose answer has
    /// not come this long after ACCEPTED (plus <see cref="OverdueLatencyFactor"/> times the
    /// slowest ACCEPTED seen, the answer's transfer time at the measured line rate and the
    /// work the request declares) is overdue, and the probe is asked whether the guest is
    /// stuck.  A probe that finds it alive doubles the wait; so a slow guest costs a look,
    /// never a verdict.
    /// </summary>
    public TimeSpan OverdueAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many of the slowest ACCEPTED round trip an answer may take on top (see <see cref="OverdueAfter"/>).</summary>
    public int OverdueLatencyFactor { get; init; } = 20;

    /// <summary>
    /// With a <see cref="AgentClient.HangProbe"/>: after this many sends of a request with
    /// neither ACCEPTED nor an answer (a protocol 2 agent accepts as soon as a frame is in),
    /// the probe is asked whether the guest is stuck before any further send.
    /// </summary>
    public int ProbeAfterUnacceptedSends { get; init; } = 2;
}

/// <summary>What a request has seen when the client asks whether the guest is stuck.</summary>
/// <param name="Accepted">The agent said ACCEPTED: the request runs (or hangs) in the guest.</param>
/// <param name="Waited">Since the request was first sent.</param>
/// <param name="Since">When the silence began (ACCEPTED, or the first send).</param>
public sealed record AgentSilence(kshim_frame_type Type, uint Id, bool Accepted, int Sends, TimeSpan Waited, DateTimeOffset Since)
{
    public override string ToString() =>
        $"{Type} id={Id}: {(Accepted ? "ACCEPTED, then" : $"{Sends} send(s),")} no answer for {Waited.TotalSeconds:0.0} s";
}

/// <summary>
/// Answers whether a guest whose agent went quiet is stuck: true when it is
/// (the client then ends the request with an <see cref="AgentHangException"/>),
/// false when it is alive and busy (the client waits on).
/// </summary>
public delegate Task<AgentHangVerdict> AgentHangProbe(AgentSilence silence, CancellationToken ct);

/// <summary>A probe's answer: stuck or not, and what it saw.</summary>
public sealed record AgentHangVerdict(bool Stuck, string Why);

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
    /// <summary>Times an overdue or unaccepted request made the client ask the hang probe.</summary>
    public int Probes;
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
    private readonly LineMeter _meter = new();

    public AgentClient(Stream stream, AgentClientOptions? options = null)
    {
        _stream = stream;
        _options = options ?? new AgentClientOptions();
        _reader = Task.Run(ReadLoopAsync);
    }

    public AgentChannelStats Stats { get; } = new();

    /// <summary>
    /// Asked when a request goes quiet (see <see cref="AgentClientOptions.OverdueAfter"/>);
    /// without one, a request waits for its whole deadline as before.
    /// </summary>
    public AgentHangProbe? HangProbe { get; set; }

    /// <summary>The line rate and ACCEPTED round trips this client has measured.</summary>
    public LineMeter Meter => _meter;

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
    /// <param name="work">
    /// How long the request itself may run in the guest, when it says so (a STRESS duration):
    /// it stretches the wait before a quiet request counts as overdue.  The request may
    /// run as long as the deadline when <see cref="Timeout.InfiniteTimeSpan"/>: only the deadline ends it.
    /// </param>
    public async Task<byte[]> RequestAsync(kshim_frame_type type, ReadOnlyMemory<byte> payload,
        TimeSpan deadline, CancellationToken ct = default, int answerBytes = 0, TimeSpan work = default)
    {
        await _oneAtATime.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await ExchangeAsync(type, payload, deadline, answerBytes, work, ct).ConfigureAwait(false);
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
    private enum Miss { Silence, Garbled, Nak, Overdue }

    /// <summary>What one request's attempts learnt from the agent.</summary>
    private sealed class Exchange(uint id, kshim_frame_type type, byte[] frame)
    {
        public uint Id { get; } = id;
        public kshim_frame_type Type { get; } = type;
        public byte[] Frame { get; } = frame;
        public bool Accepted { get; set; }
        public DateTimeOffset FirstSent { get; set; }
        public DateTimeOffset LastSent { get; set; }
        public DateTimeOffset AcceptedAt { get; set; }
        /// <summary>How long after ACCEPTED the answer is overdue (doubles each time the probe finds the guest alive).</summary>
        public TimeSpan? Patience { get; set; }
    }

    private async Task<byte[]> ExchangeAsync(kshim_frame_type type, ReadOnlyMemory<byte> payload,
        TimeSpan deadline, int answerBytes, TimeSpan work, CancellationToken ct)
    {
        uint id = _nextId++;
        var x = new Exchange(id, type, FrameCodec.Encode(id, type, payload.Span));
        using var whole = CancellationTokenSource.CreateLinkedTokenSource(ct);
        whole.CancelAfter(deadline);
        int attempts = 0, sends = 0, unaccepted = 0;
        bool counts = true, send = true;
        var probe = HangProbe;
        TimeSpan? watch = probe is not null && work != Timeout.InfiniteTimeSpan ? work : null;
        try
        {
            while (true)
            {
                if (send)
                {
                    if (counts && ++attempts > _options.MaxAttempts)
                        throw new AgentTimeoutException($"{type} id={x.Id}: no valid answer after {_options.MaxAttempts} attempts");
                    if (sends++ > 0) Stats.Resends++;
                    else x.FirstSent = DateTimeOffset.UtcNow;
                    bool windowed = _options.Windowed && Ready?.ProtocolVersion >= 2 &&
                        x.Frame.Length > KshimAgentProto.KSHIM_PROGRESS_WINDOW;
                    // A windowed transfer moves as fast as the line does (18-50 KiB/s
                    // measured, 9 KiB/s on a loaded machine): while PROGRESS reports
                    // come, the deadline restarts from each one, and once the frame
                    // is all there, from then; a stalled transfer is ended by its
                    // own stall timer.  The deadline so bounds the guest's silence,
                    // never the line's speed.
                    if (windowed ? !await SendWindowedAsync(x, attempts, whole.Token, () => whole.CancelAfter(deadline)).ConfigureAwait(false)
                                 : !await SendWholeAsync(x.Frame, whole.Token).ConfigureAwait(false))
                    {
                        counts = true;
                        continue;
                    }
                    if (windowed) whole.CancelAfter(deadline);
                    x.LastSent = DateTimeOffset.UtcNow;
                }
                send = true;
                // A windowed frame's transfer time was spent waiting for PROGRESS.
                int inFlight = _options.Windowed && Ready?.ProtocolVersion >= 2 && x.Frame.Length > KshimAgentProto.KSHIM_PROGRESS_WINDOW
                    ? (int)KshimAgentProto.KSHIM_PROGRESS_WINDOW : x.Frame.Length;
                if (x.Accepted && watch is { } w)
                    x.Patience ??= Overdue(answerBytes, w);
                var (answer, miss) = await AwaitAnswerAsync(x, inFlight, answerBytes, watch, attempts, whole.Token).ConfigureAwait(false);
                if (answer is not null)
                {
                    if (x.Accepted) _meter.Answered(answer.Length + FrameCodec.HeaderSize, DateTimeOffset.UtcNow - x.AcceptedAt);
                    return answer;
                }
                if (miss == Miss.Overdue && probe is not null && x.Patience is not null)
                {
                    // Accepted, silent past its measured allowance: ask whether the guest is stuck.
                    await AskAsync(probe, x, sends, DateTimeOffset.UtcNow - x.FirstSent, x.AcceptedAt, whole.Token).ConfigureAwait(false);
                    x.Patience = 2 * x.Patience.Value;
                    // Alive: wait on without a resend unless the answer may have been lost; a
                    // windowed frame is never resent to a busy agent (it sends no PROGRESS
                    // while it runs a request, so the resend would only count as a failure).
                    send = x.Frame.Length <= KshimAgentProto.KSHIM_PROGRESS_WINDOW
                        && DateTimeOffset.UtcNow - x.LastSent >= _options.AcceptedResendAfterFor(answerBytes);
                    counts = false;
                    continue;
                }
                // Silence after ACCEPTED is a busy guest, not a lost frame.
                counts = !(miss == Miss.Silence && x.Accepted);
                if (watch is not null && probe is not null && !x.Accepted && miss == Miss.Silence && Ready?.ProtocolVersion >= 2
                    && ++unaccepted >= _options.ProbeAfterUnacceptedSends)
                {
                    // Sent whole, time to cross the line at the measured rate given, and no ACCEPTED.
                    await AskAsync(probe, x, sends, DateTimeOffset.UtcNow - x.FirstSent, x.FirstSent, whole.Token).ConfigureAwait(false);
                    unaccepted = 0;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AgentTimeoutException(
                $"{type} id={x.Id}: no answer within {deadline.TotalSeconds:0.#} s ({sends} send(s)" +
                (x.Accepted ? ", accepted by the agent)" : ")"));
        }
    }

    /// <summary>Ask the probe; a stuck guest ends the request.</summary>
    private async Task<AgentHangVerdict> AskAsync(AgentHangProbe probe, Exchange x, int sends, TimeSpan waited,
        DateTimeOffset since, CancellationToken ct)
    {
        Stats.Probes++;
        var silence = new AgentSilence(x.Type, x.Id, x.Accepted, sends, waited, since);
        var verdict = await probe(silence, ct).ConfigureAwait(false);
        if (verdict.Stuck) throw new AgentHangException(silence, verdict.Why);
        return verdict;
    }

    /// <summary>
    /// How long after ACCEPTED an answer is overdue: the floor, the slowest ACCEPTED
    /// round trip measured (a busy host makes it grow) times a factor, the answer's
    /// transfer time at the measured line rate, and the request's own declared work.
    /// </summary>
    public TimeSpan Overdue(int answerBytes, TimeSpan work) =>
        _options.OverdueAfter
        + _options.OverdueLatencyFactor * _meter.SlowestAccept
        + TimeSpan.FromSeconds((double)(answerBytes + FrameCodec.HeaderSize) / _meter.BytesPerSecond(_options.LineBytesPerSecond))
        + work;

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
    /// and a NAK of this one is followed by silence anyway.  An ACCEPTED ends
    /// the send: an earlier attempt's frame came in whole and runs.
    /// </summary>
    private async Task<bool> SendWindowedAsync(Exchange x, int attempt, CancellationToken ct, Action onProgress)
    {
        int window = (int)KshimAgentProto.KSHIM_PROGRESS_WINDOW;
        int sent = 0, acked = 0;
        var stall = _options.ResendAfterFor(2 * window, attempt: attempt);
        var started = System.Diagnostics.Stopwatch.StartNew();
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
            if (sent == x.Frame.Length)
            {
                // What the reports covered, in the time they took: the line's speed into the guest.
                _meter.Transferred(acked, started.Elapsed);
                return true;
            }
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
                case DecodeEvent.Good { Frame: var f } when f.RequestId == x.Id && f.Type == kshim_frame_type.KSHIM_FRAME_ACCEPTED
                                                             && f.Payload.Length == 0:
                    // An earlier attempt's frame came in whole and runs now: nothing more to send
                    // (a busy agent sends no PROGRESS, so waiting for one would fail the attempt).
                    if (!x.Accepted)
                    {
                        x.Accepted = true;
                        x.AcceptedAt = DateTimeOffset.UtcNow;
                        Stats.Accepted++;
                    }
                    return true;
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
        TimeSpan? work, int attempts, CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // With a probe and a request that says how long it runs, silence after ACCEPTED
        // ends at its overdue time (then the probe decides), not at the resend timer.
        bool watched = work is not null;
        TimeSpan AfterAccepted() => watched
            ? x.Patience!.Value - (DateTimeOffset.UtcNow - x.AcceptedAt) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero
            : _options.AcceptedResendAfterFor(answerBytes);
        attempt.CancelAfter(x.Accepted ? AfterAccepted()
                                       : _options.ResendAfterFor(requestBytes, answerBytes, attempts));
        while (true)
        {
            DecodeEvent ev;
            try
            {
                ev = await NextEventAsync(attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // the request or its answer was lost, or a long run (overdue when watched)
                return (null, x.Accepted && watched ? Miss.Overdue : Miss.Silence);
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
                        x.AcceptedAt = DateTimeOffset.UtcNow;
                        // Only a small frame's ACCEPTED is pure latency; a big one's includes
                        // the transfer of what was still in flight.
                        if (x.Frame.Length <= LineMeter.MinSampleBytes) _meter.AcceptedAfter(x.AcceptedAt - x.LastSent);
                        Stats.Accepted++;
                        if (watched) x.Patience ??= Overdue(answerBytes, work!.Value);
                        attempt.CancelAfter(AfterAccepted());
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
        // The stream closed under the read (dispose, a VM gone): the loop ends.  A pipe
        // whose reader was completed meanwhile says so with InvalidOperationException.
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
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
