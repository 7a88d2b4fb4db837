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

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The shell waits in the container for QEMU to make the socket (bounded), so that the host
    /// does not poll through the API; socat then connects.  $1 = socket, $2 = ticks of 20 ms.
    /// </summary>
    private const string WaitThenConnect =
        "n=$2; while [ ! -S \"$1\" ] && [ \"$n\" -gt 0 ]; do sleep 0.02; n=$((n-1)); done; " +
        "exec socat -d -d STDIO \"UNIX-CONNECT:$1\"";

    public static async Task<Stream> ConnectAsync(
        ContainerHandle container, string path, TimeSpan deadline, Task qemuExited, CancellationToken ct = default)
    {
        var until = DateTime.UtcNow + deadline;
        string? last = null;
        while (DateTime.UtcNow < until)
        {
            ct.ThrowIfCancellationRequested();
            if (qemuExited.IsCompleted)
                throw new ChannelException($"QEMU exited before {Path.GetFileName(path)} could be connected");
            var left = until - DateTime.UtcNow;
            var ticks = Math.Max(1, (int)(left / Tick));
            ExecStream exec;
            try
            {
                exec = await container.ExecAsync(["sh", "-c", WaitThenConnect, "sh", path, ticks.ToString()], ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RunnerException or Docker.DotNet.DockerApiException)
            {
                // The container stopped between the check and the exec (QEMU died), or the engine went away.
                last = e.Message;
                await Task.Delay(Tick, ct).ConfigureAwait(false);
                continue;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(left);
            var connected = false;
            try
            {
                connected = await exec.WaitForStandardErrorAsync(s => s.Contains(ConnectedMarker, StringComparison.Ordinal), wait.Token)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when ((e is IOException or OperationCanceledException) && !ct.IsCancellationRequested)
            {
            }
            finally
            {
                if (!connected)
                {
                    // socat gave up (the socket existed but QEMU was not listening yet, or it is gone): try again.
                    last = exec.StandardError.Trim();
                    await exec.DisposeAsync().ConfigureAwait(false);
                }
            }
            if (connected)
                return exec;
            if (DateTime.UtcNow < until)
                await Task.Delay(Tick, ct).ConfigureAwait(false);
        }
        throw new ChannelException(
            $"could not connect {path} in container {container.Name} within {deadline.TotalSeconds:0.#} s"
            + (string.IsNullOrEmpty(last) ? "" : $": {LastLine(last)}"));
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? text;
}
