namespace KernelShim.Harness.Agent;

/// <summary>
/// What one agent line has been measured to do: how fast answers come back
/// (bytes of an answer over the time from ACCEPTED to its end, which includes
/// the guest's own work, so a lower bound of the line rate) and how long the
/// agent takes to say ACCEPTED after a frame is sent (grows when the host is
/// busy and the VM waits for a CPU).  Deadlines derived from these stretch
/// on a slow machine instead of failing there.
/// </summary>
public sealed class LineMeter
{
    private const int Keep = 16;
    /// <summary>Answers shorter than this say more about latency than about the line.</summary>
    public const int MinSampleBytes = 4096;

    private readonly object _gate = new();
    private readonly Queue<TimeSpan> _accepts = new();
    private double _bestRate;
    private double _cautious;

    /// <summary>The slowest ACCEPTED round trip among the last few of small frames (zero before the first).</summary>
    public TimeSpan SlowestAccept { get { lock (_gate) return _accepts.Count == 0 ? TimeSpan.Zero : _accepts.Max(); } }

    /// <summary>The measured rate from the guest, or <paramref name="assumed"/> before anything was measured.</summary>
    public double BytesPerSecond(double assumed)
    {
        lock (_gate) return _bestRate > 0 ? _bestRate : assumed;
    }

    /// <summary>Whether a rate has been measured yet.</summary>
    public bool Measured { get { lock (_gate) return _bestRate > 0; } }

    public void AcceptedAfter(TimeSpan roundTrip)
    {
        lock (_gate)
        {
            _accepts.Enqueue(roundTrip < TimeSpan.Zero ? TimeSpan.Zero : roundTrip);
            while (_accepts.Count > Keep) _accepts.Dequeue();
        }
    }

    /// <summary>
    /// A rate to size deadlines by: conservative, where <see cref="BytesPerSecond"/> is the
    /// best seen.  Every transfer measured (a windowed request paced by PROGRESS, an answer)
    /// moves it: a slower one at once, a faster one a quarter of the way, so that one quick
    /// transfer after a slow spell does not shorten a deadline much.  Never below 1,000 B/s.
    /// </summary>
    public double CautiousBytesPerSecond(double assumed)
    {
        lock (_gate) return _cautious > 0 ? _cautious : assumed;
    }

    /// <summary>A request frame of <paramref name="bytes"/> whose PROGRESS reports took <paramref name="elapsed"/>.</summary>
    public void Transferred(int bytes, TimeSpan elapsed)
    {
        if (bytes < MinSampleBytes || elapsed <= TimeSpan.Zero) return;
        lock (_gate) Cautious(bytes / elapsed.TotalSeconds);
    }

    private void Cautious(double rate)
    {
        _cautious = Math.Max(1_000, _cautious <= 0 || rate < _cautious ? rate : _cautious + (rate - _cautious) / 4);
    }

    /// <summary>An answer of <paramref name="bytes"/> that took <paramref name="elapsed"/> after ACCEPTED.</summary>
    public void Answered(int bytes, TimeSpan elapsed)
    {
        if (bytes < MinSampleBytes || elapsed <= TimeSpan.Zero) return;
        // Every sample is a lower bound of the line rate: the largest is the closest.
        lock (_gate)
        {
            _bestRate = Math.Max(_bestRate, bytes / elapsed.TotalSeconds);
            Cautious(bytes / elapsed.TotalSeconds);
        }
    }
}
