namespace KernelShim.Harness.Agent;

/// <summary>
/// How fast the agent's serial line moves bytes, as measured on this line:
/// the timers that wait for a transfer scale with it instead of with a
/// constant.  Under TCG the line moved 18-50 KiB/s on a quiet 2-core
/// machine and 9 KiB/s on a loaded one; a fixed guess either waits too long
/// on a quick line or gives up on a slow one.
///
/// The estimate is conservative: a slower sample is taken at once, a faster
/// one only a quarter of the way, so one quick transfer after a slow spell
/// does not shorten the timers much.  Samples under 4 KiB are ignored (their
/// time is latency, not throughput); the estimate never falls below
/// <see cref="Floor"/>.
/// </summary>
public sealed class LineRate(double assumedBytesPerSecond)
{
    public const double Floor = 1_000;
    private const long MinSampleBytes = 4096;
    private readonly object _lock = new();
    private double _bytesPerSecond = Math.Max(Floor, assumedBytesPerSecond);

    /// <summary>The current estimate.</summary>
    public double BytesPerSecond
    {
        get { lock (_lock) return _bytesPerSecond; }
    }

    /// <summary>Transfers measured so far.</summary>
    public int Samples { get; private set; }

    /// <summary>Records that <paramref name="bytes"/> crossed the line in <paramref name="elapsed"/>.</summary>
    public void Sample(long bytes, TimeSpan elapsed)
    {
        if (bytes < MinSampleBytes || elapsed <= TimeSpan.Zero) return;
        double rate = bytes / elapsed.TotalSeconds;
        lock (_lock)
        {
            _bytesPerSecond = Math.Max(Floor, rate < _bytesPerSecond ? rate : _bytesPerSecond + (rate - _bytesPerSecond) / 4);
            Samples++;
        }
    }

    /// <summary>How long <paramref name="bytes"/> take at the current estimate.</summary>
    public TimeSpan TimeFor(long bytes) => TimeSpan.FromSeconds(bytes / BytesPerSecond);

    public override string ToString() => $"{BytesPerSecond / 1024:0.#} KiB/s ({Samples} sample(s))";
}
