using System.Threading.Channels;

namespace KernelShim.Harness.KernelConsole;

/// <summary>
/// Turns console lines into <see cref="ConsoleEvent"/>s (via
/// <see cref="ConsolePatterns"/>) and lets the harness wait for them.
/// </summary>
public sealed class ConsoleWatcher
{
    private readonly List<ConsoleEvent> _events = [];
    private readonly List<(Func<ConsoleEvent, bool> Match, TaskCompletionSource<ConsoleEvent> Done)> _waiters = [];
    private readonly object _gate = new();
    private bool _complete;

    private static bool IsPrompt(ConsoleEventKind k) => k is ConsoleEventKind.DdbPrompt or ConsoleEventKind.DdbMore;

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<ConsoleEvent> Events { get { lock (_gate) return _events.ToList(); } }

    /// <summary>The first event that means the kernel is dead or stopped, if any.</summary>
    public ConsoleEvent? FirstFatal
    {
        get
        {
            lock (_gate)
                return _events.FirstOrDefault(e => e.Kind is ConsoleEventKind.Panic or ConsoleEventKind.DiagnosticAssertion
                    or ConsoleEventKind.LockingAgainstMyself or ConsoleEventKind.UvmFault);
        }
    }

    /// <summary>A complete line.</summary>
    public void Observe(string line, DateTimeOffset at, bool skipPrompts = false)
    {
        if (ConsolePatterns.Match(line) is not { } m) return;
        if (skipPrompts && IsPrompt(m.Kind)) return;
        Publish(new ConsoleEvent(m.Kind, line, at, m.Detail));
    }

    /// <summary>A line still waiting for its newline; only prompts count.  True if one matched.</summary>
    public bool ObservePrompt(string partial, DateTimeOffset at)
    {
        if (ConsolePatterns.Match(partial) is not { } m || !IsPrompt(m.Kind)) return false;
        Publish(new ConsoleEvent(m.Kind, partial, at, m.Detail));
        return true;
    }

    /// <summary>The console closed: pending waits end with <see cref="ConsoleClosedException"/>.</summary>
    public void Complete()
    {
        List<TaskCompletionSource<ConsoleEvent>> orphans;
        lock (_gate)
        {
            _complete = true;
            orphans = _waiters.Select(w => w.Done).ToList();
            _waiters.Clear();
        }
        foreach (var o in orphans) o.TrySetException(new ConsoleClosedException());
    }

    /// <summary>
    /// Wait for an event matching <paramref name="match"/> that arrives after
    /// <paramref name="after"/> (events already seen count too when they do).
    /// </summary>
    public async Task<ConsoleEvent> WaitForAsync(Func<ConsoleEvent, bool> match, TimeSpan timeout,
        DateTimeOffset? after = null, CancellationToken ct = default)
    {
        var tcs = new TaskCompletionSource<ConsoleEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<ConsoleEvent, bool> m = e => (after is null || e.At >= after) && match(e);
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(m);
            if (seen is not null) return seen;
            if (_complete) throw new ConsoleClosedException();
            _waiters.Add((m, tcs));
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        await using var reg = cts.Token.Register(() => tcs.TrySetCanceled());
        try
        {
            return await tcs.Task.ConfigureAwait(false);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"console: nothing matched within {timeout.TotalSeconds:0.#} s");
        }
        finally
        {
            lock (_gate) _waiters.RemoveAll(w => w.Done == tcs);
        }
    }

    private void Publish(ConsoleEvent ev)
    {
        List<TaskCompletionSource<ConsoleEvent>> hits;
        lock (_gate)
        {
            _events.Add(ev);
            hits = _waiters.Where(w => w.Match(ev)).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => hits.Contains(w.Done));
        }
        foreach (var h in hits) h.TrySetResult(ev);
    }
}

/// <summary>The console channel closed while something waited on it.</summary>
public sealed class ConsoleClosedException() : Errors.KernelShimException(Errors.ErrorClass.Infrastructure, "the console closed (QEMU exited)");
