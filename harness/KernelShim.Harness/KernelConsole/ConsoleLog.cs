using System.Text;

namespace KernelShim.Harness.KernelConsole;

/// <summary>
/// The kernel console (com0): read from its channel, split into lines,
/// written to a file with timestamps relative to the start, kept as a tail
/// for verdicts, and fed to a <see cref="ConsoleWatcher"/>.  A prompt that
/// has no newline yet ("db{0}> ") is matched as a partial line.
/// </summary>
public sealed class ConsoleLog : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly StreamWriter? _file;
    private readonly ConsoleWatcher _watcher;
    private readonly int _tailLines;
    private readonly Queue<string> _tail = new();
    private readonly StringBuilder _partial = new();
    private readonly StringBuilder _transcript = new();
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly object _gate = new();
    private bool _promptSeenInLine;

    public ConsoleLog(Stream stream, ConsoleWatcher watcher, string? path = null, int tailLines = 60)
    {
        _stream = stream;
        _watcher = watcher;
        _tailLines = tailLines;
        if (path is not null) _file = new StreamWriter(path, append: false, Encoding.UTF8) { AutoFlush = true };
        LastOutput = _start;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>When the console last printed anything (for no-progress deadlines).</summary>
    public DateTimeOffset LastOutput { get; private set; }

    /// <summary>True once the channel closed (QEMU exited).</summary>
    public bool Closed { get; private set; }

    /// <summary>Characters received so far (a position for <see cref="TextSince"/>).</summary>
    public int Position { get { lock (_gate) return _transcript.Length; } }

    /// <summary>The line printed so far without its newline (a prompt waits there).</summary>
    public string PartialLine { get { lock (_gate) return _partial.ToString(); } }

    /// <summary>Everything printed since <paramref name="position"/>.</summary>
    public string TextSince(int position)
    {
        lock (_gate) return _transcript.ToString(position, _transcript.Length - position);
    }

    /// <summary>The last lines, including a partial one, for verdicts.</summary>
    public string Tail()
    {
        lock (_gate)
        {
            var lines = _tail.ToList();
            if (_partial.Length > 0) lines.Add(_partial.ToString());
            return string.Join('\n', lines);
        }
    }

    /// <summary>Write to the console as if typed (ddb commands).  0x01 is QEMU's mux escape and is doubled.</summary>
    public async Task TypeAsync(string text, CancellationToken ct = default)
    {
        var bytes = Encoding.ASCII.GetBytes(text).SelectMany(b => b == 0x01 ? new byte[] { 1, 1 } : [b]).ToArray();
        await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Bytes exactly as typed by a person (an interactive console; Ctrl-A sequences reach QEMU's mux).</summary>
    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A serial BREAK on the console line: QEMU's mux escape Ctrl-A b.</summary>
    public async Task SendBreakAsync(CancellationToken ct = default)
    {
        await _stream.WriteAsync(new byte[] { 0x01, (byte)'b' }, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        var buf = new byte[8192];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[8192 * 2];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = await _stream.ReadAsync(buf, _stop.Token).ConfigureAwait(false);
                if (n == 0) break;
                int c = decoder.GetChars(buf, 0, n, chars, 0);
                Accept(chars.AsSpan(0, c));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                if (_partial.Length > 0) EndLine();
                Closed = true;
            }
            _watcher.Complete();
        }
    }

    private void Accept(ReadOnlySpan<char> text)
    {
        lock (_gate)
        {
            LastOutput = DateTimeOffset.UtcNow;
            _transcript.Append(text);
            foreach (char ch in text)
            {
                if (ch == '\n') EndLine();
                else if (ch != '\r') _partial.Append(ch);
            }
            // Prompts end without a newline: look for them in the partial line now.
            if (_partial.Length > 0 && !_promptSeenInLine)
                _promptSeenInLine = _watcher.ObservePrompt(_partial.ToString(), DateTimeOffset.UtcNow);
        }
    }

    private void EndLine()
    {
        var line = _partial.ToString();
        bool promptSeen = _promptSeenInLine;
        _partial.Clear();
        _promptSeenInLine = false;
        _file?.WriteLine($"[{(DateTimeOffset.UtcNow - _start).TotalSeconds,9:0.000}] {line}");
        _tail.Enqueue(line);
        while (_tail.Count > _tailLines) _tail.Dequeue();
        _watcher.Observe(line, DateTimeOffset.UtcNow, skipPrompts: promptSeen);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try { await _reader.ConfigureAwait(false); } catch (OperationCanceledException) { }
        if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
