using System.Runtime.InteropServices;
using System.Text;
using Docker.DotNet;

namespace KernelShim.Harness.Runner;

/// <summary>
/// A process started with <c>docker exec</c>, as a byte stream: reads are its stdout, writes go to
/// its stdin.  The exec has no TTY, so Docker frames stdout and stderr apart and copies stdin as is
/// (no detach keys, no line discipline): binary-safe both ways.  What the process writes to stderr is
/// kept for diagnostics and for <see cref="WaitForStandardErrorAsync"/>.
/// </summary>
public sealed class ExecStream : Stream
{
    private const int StderrLimit = 8192;

    private readonly MultiplexedStream stream;
    private readonly byte[] frame = new byte[16 * 1024];
    private readonly StringBuilder stderr = new();
    private readonly Decoder stderrDecoder = Encoding.UTF8.GetDecoder();
    private byte[] pending = [];
    private int pendingOffset;

    internal ExecStream(MultiplexedStream stream, string execId)
    {
        this.stream = stream;
        ExecId = execId;
    }

    public string ExecId { get; }

    /// <summary>The last few KiB the process wrote to stderr so far.</summary>
    public string StandardError
    {
        get { lock (stderr) return stderr.ToString(); }
    }

    /// <summary>
    /// Reads until <paramref name="condition"/> holds for stderr (true) or the process's output ends
    /// (false).  Stdout that arrives meanwhile is kept for the next reads.  Not while another read runs.
    /// </summary>
    public async Task<bool> WaitForStandardErrorAsync(Func<string, bool> condition, CancellationToken cancellationToken = default)
    {
        var kept = new MemoryStream();
        kept.Write(pending, pendingOffset, pending.Length - pendingOffset);
        try
        {
            while (!condition(StandardError))
            {
                var count = await ReadFrameAsync(frame.Length, cancellationToken).ConfigureAwait(false);
                if (count < 0)
                    return false;
                kept.Write(frame, 0, count);
            }
            return true;
        }
        finally
        {
            pending = kept.ToArray();
            pendingOffset = 0;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
            return 0;
        if (pendingOffset < pending.Length)
        {
            var n = Math.Min(buffer.Length, pending.Length - pendingOffset);
            pending.AsMemory(pendingOffset, n).CopyTo(buffer);
            pendingOffset += n;
            return n;
        }
        int count;
        do
        {
            count = await ReadFrameAsync(Math.Min(buffer.Length, frame.Length), cancellationToken).ConfigureAwait(false);
        }
        while (count == 0);
        if (count < 0)
            return 0;
        frame.AsMemory(0, count).CopyTo(buffer);
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var segment = MemoryMarshal.TryGetArray(buffer, out var s) ? s : new ArraySegment<byte>(buffer.ToArray());
        try
        {
            await stream.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (IOException or OperationCanceledException or ObjectDisposedException))
        {
            throw new IOException($"exec {ExecId}: {e.Message}", e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Writes go out at once.</summary>
    public override void Flush()
    {
    }

    /// <summary>Ends the process's stdin (it reads EOF); its output can still be read.</summary>
    public void CloseStandardInput() => stream.CloseWrite();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            stream.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>
    /// The next frame: stdout bytes into <see cref="frame"/> (their count), or stderr taken aside (0,
    /// so that a caller waiting for stderr can look); -1 at the end.
    /// </summary>
    private async Task<int> ReadFrameAsync(int max, CancellationToken cancellationToken)
    {
        MultiplexedStream.ReadResult result;
        try
        {
            result = await stream.ReadOutputAsync(frame, 0, max, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (IOException or OperationCanceledException or ObjectDisposedException))
        {
            // The readers of a channel stop on IOException: an engine connection that broke is one.
            throw new IOException($"exec {ExecId}: {e.Message}", e);
        }
        if (result.EOF)
            return -1;
        if (result.Target != MultiplexedStream.TargetStream.StandardError)
            return result.Count;
        KeepStderr(result.Count);
        return 0;
    }

    private void KeepStderr(int count)
    {
        var chars = new char[Encoding.UTF8.GetMaxCharCount(count)];
        var n = stderrDecoder.GetChars(frame, 0, count, chars, 0);
        lock (stderr)
        {
            stderr.Append(chars, 0, n);
            if (stderr.Length > StderrLimit)
                stderr.Remove(0, stderr.Length - StderrLimit);
        }
    }
}
