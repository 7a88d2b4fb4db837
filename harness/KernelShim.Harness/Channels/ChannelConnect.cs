namespace KernelShim.Harness.Channels;

/// <summary>
/// The wait every way of reaching a QEMU socket shares: QEMU makes its sockets a moment after it
/// starts (and the agent's only once the console is connected), so one attempt is repeated until it
/// gives a stream, the deadline passes, or QEMU is found to have exited.
/// </summary>
internal static class ChannelConnect
{
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    /// <param name="where">Added after the path in the error, e.g. " in container X".</param>
    /// <param name="attempt">Given the time left: the stream, or null and why not (the last reason goes into the error).</param>
    public static async Task<Stream> RetryAsync(
        string path, string where, TimeSpan deadline, Task qemuExited,
        Func<TimeSpan, CancellationToken, Task<(Stream? Stream, string? Error)>> attempt, CancellationToken ct)
    {
        var until = DateTime.UtcNow + deadline;
        string? last = null;
        while (DateTime.UtcNow < until)
        {
            ct.ThrowIfCancellationRequested();
            if (qemuExited.IsCompleted)
                throw new ChannelException($"QEMU exited before {Path.GetFileName(path)} could be connected");
            var (stream, error) = await attempt(until - DateTime.UtcNow, ct).ConfigureAwait(false);
            if (stream is not null)
                return stream;
            last = error ?? last;
            await Task.Delay(Pause, ct).ConfigureAwait(false);
        }
        throw new ChannelException(
            $"could not connect {path}{where} within {deadline.TotalSeconds:0.#} s" + (last is null ? "" : $": {last}"));
    }
}
