using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Channels;

/// <summary>
/// A serial line whose unix socket lives inside a container that does not share our file system
/// (<see cref="TransferMode.Copy"/>): reached through <c>docker exec</c> running
/// <c>socat STDIO UNIX-CONNECT:&lt;socket&gt;</c> in the container, so that only the Docker API
/// connection is needed.  The exec stream carries bytes unchanged, so QEMU's mux escape (Ctrl-A b,
/// a BREAK for ddb) passes as it does over the socket itself.
/// </summary>
public static class ExecChannel
{
    /// <summary>What socat -d -d prints once both ends are open: from then on bytes flow.</summary>
    public const string ConnectedMarker = "starting data transfer loop";

    /// <summary>
    /// The shell waits in the container for QEMU to make the socket (bounded), so that the host
    /// does not poll through the API; socat then connects.  $1 = socket, $2 = ticks of 20 ms.
    /// </summary>
    private const string WaitThenConnect =
        "n=$2; while [ ! -S \"$1\" ] && [ \"$n\" -gt 0 ]; do sleep 0.02; n=$((n-1)); done; " +
        "exec socat -d -d STDIO \"UNIX-CONNECT:$1\"";

    public static Task<Stream> ConnectAsync(
        ContainerHandle container, string path, TimeSpan deadline, Task qemuExited, CancellationToken ct = default) =>
        ChannelConnect.RetryAsync(path, $" in container {container.Name}", deadline, qemuExited,
            (left, token) => AttemptAsync(container, path, left, token), ct);

    private static async Task<(Stream?, string?)> AttemptAsync(
        ContainerHandle container, string path, TimeSpan left, CancellationToken ct)
    {
        var ticks = Math.Max(1, (int)(left / ChannelConnect.Pause));
        ExecStream exec;
        try
        {
            exec = await container.ExecAsync(["sh", "-c", WaitThenConnect, "sh", path, ticks.ToString()], ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RunnerException or Docker.DotNet.DockerApiException)
        {
            // The container stopped meanwhile (QEMU died: the next round says so), or the engine went away.
            return (null, e.Message);
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(left);
        try
        {
            if (await exec.WaitForStandardErrorAsync(s => s.Contains(ConnectedMarker, StringComparison.Ordinal), wait.Token)
                    .ConfigureAwait(false))
                return (exec, null);
        }
        catch (Exception e) when ((e is IOException or OperationCanceledException) && !ct.IsCancellationRequested)
        {
        }
        catch
        {
            await exec.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        // socat gave up (the socket existed but QEMU was not listening yet, or QEMU is gone): try again.
        var said = exec.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        await exec.DisposeAsync().ConfigureAwait(false);
        return (null, said.LastOrDefault());
    }
}
