using System.Text;
using Docker.DotNet;

namespace KernelShim.Harness.Runner;

/// <summary>
/// The attached stdio of a container (non-TTY, so stdout and stderr stay apart).
/// Attach before start to see every byte.
/// </summary>
public sealed class ContainerStreams : IDisposable
{
    private readonly MultiplexedStream stream;
    private readonly byte[] buffer = new byte[16 * 1024];
    private readonly bool stdinAttached;

    internal ContainerStreams(MultiplexedStream stream, bool stdinAttached)
    {
        this.stream = stream;
        this.stdinAttached = stdinAttached;
    }

    /// <summary>The next chunk of output, or null once both streams have ended.</summary>
    public async Task<OutputChunk?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (result.EOF)
                return null;
            if (result.Count == 0)
                continue;
            var kind = result.Target == MultiplexedStream.TargetStream.StandardError
                ? OutputStreamKind.Stderr
                : OutputStreamKind.Stdout;
            return new OutputChunk(kind, buffer.AsSpan(0, result.Count).ToArray());
        }
    }

    /// <summary>Reads until the container closes its output (usually: until it exits).</summary>
    public async Task<ContainerOutput> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await CopyToAsync(stdout, stderr, cancellationToken).ConfigureAwait(false);
        return new ContainerOutput(Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    /// <summary>Copies output into two streams until it ends.</summary>
    public async Task CopyToAsync(Stream stdout, Stream stderr, CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
        {
            var target = chunk.Stream == OutputStreamKind.Stderr ? stderr : stdout;
            await target.WriteAsync(chunk.Data, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes to the container's stdin (needs <see cref="ContainerSpec.OpenStdin"/> and an attach with stdin).</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (!stdinAttached)
            throw new InvalidOperationException("stdin was not attached (AttachAsync(stdin: true) on a spec WithStdin())");
        var bytes = data.ToArray();
        return stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
    }

    public Task WriteAsync(string text, CancellationToken cancellationToken = default) =>
        WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Ends the container's stdin (the process reads EOF).</summary>
    public void CloseStdin() => stream.CloseWrite();

    public void Dispose() => stream.Dispose();
}
