using System.Net.Sockets;

namespace KernelShim.Harness.Channels;

/// <summary>
/// A serial line that QEMU exposes as a unix socket in the shared work
/// directory.  QEMU creates the socket when it starts; connecting is retried
/// until the deadline, or until QEMU is found to have exited.
/// </summary>
public static class UnixChannel
{
    public static async Task<Stream> ConnectAsync(string path, TimeSpan deadline, Task qemuExited, CancellationToken ct = default)
    {
        var until = DateTime.UtcNow + deadline;
        Exception? last = null;
        while (DateTime.UtcNow < until)
        {
            ct.ThrowIfCancellationRequested();
            if (qemuExited.IsCompleted)
                throw new ChannelException($"QEMU exited before {Path.GetFileName(path)} could be connected");
            if (File.Exists(path))
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch (SocketException e)
                {
                    last = e;
                    s.Dispose();
                }
            }
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
        throw new ChannelException($"could not connect {path} within {deadline.TotalSeconds:0.#} s" + (last is null ? "" : $": {last.Message}"));
    }
}

/// <summary>A VM channel could not be opened.</summary>
public sealed class ChannelException(string message) : Exception(message);
