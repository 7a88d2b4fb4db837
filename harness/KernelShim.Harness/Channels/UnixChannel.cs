using System.Net.Sockets;

namespace KernelShim.Harness.Channels;

/// <summary>
/// A serial line that QEMU exposes as a unix socket in the shared work
/// directory.  QEMU creates the socket when it starts; connecting is retried
/// until the deadline, or until QEMU is found to have exited.
/// </summary>
public static class UnixChannel
{
    public static Task<Stream> ConnectAsync(string path, TimeSpan deadline, Task qemuExited, CancellationToken ct = default) =>
        ChannelConnect.RetryAsync(path, "", deadline, qemuExited, async (_, token) =>
        {
            if (!File.Exists(path))
                return (null, null);
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await s.ConnectAsync(new UnixDomainSocketEndPoint(path), token).ConfigureAwait(false);
                return (new NetworkStream(s, ownsSocket: true), null);
            }
            catch (SocketException e)
            {
                s.Dispose();
                return (null, e.Message);
            }
        }, ct);
}

/// <summary>A VM channel could not be opened.</summary>
public sealed class ChannelException(string message) : Errors.KernelShimException(Errors.ErrorClass.Infrastructure, message);
