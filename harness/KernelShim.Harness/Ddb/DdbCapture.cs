using System.Text;
using KernelShim.Harness.KernelConsole;

namespace KernelShim.Harness.Ddb;

/// <summary>
/// Breaks into NetBSD's in-kernel debugger over the serial console and
/// records what it says.  ddb is entered with a serial BREAK (hw.cnmagic's
/// default); its pager ("--db_more--") is answered with a space, though the
/// agent also sets ddb.lines to 0 at boot so that it rarely appears.
/// </summary>
public sealed class DdbCapture(ConsoleLog console, ConsoleWatcher watcher)
{
    /// <summary>How long ddb gets to print a prompt after a BREAK or a command.</summary>
    public TimeSpan PromptTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The commands for a hang: processes, locks, the test map; then a stack per sleeping LWP (see <see cref="CaptureHangAsync"/>).</summary>
    public static IReadOnlyList<string> HangCommands(ulong? mapKva) =>
        ["ps", "show all locks", .. mapKva is { } a ? new[] { $"show map/f 0x{a:x}" } : []];

    /// <summary>How many BREAKs <see cref="CaptureWithPartiesAsync"/> may take to find the moment it wants.</summary>
    public int MaxLooks { get; init; } = 5;

    /// <summary>How long the kernel runs between two such looks.</summary>
    public TimeSpan LookAgainAfter { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>At most this many per-LWP stacks after a hang.</summary>
    public int MaxStacks { get; init; } = 12;

    /// <summary>
    /// A hang's evidence: <see cref="HangCommands"/>, then `bt/a ADDR` for each
    /// LWP that `ps` shows waiting on something (plain `bt` only shows the
    /// CPU's current thread, which is rarely a party to the deadlock).
    /// </summary>
    public async Task<DdbTranscript> CaptureHangAsync(ulong? mapKva, CancellationToken ct = default)
    {
        var first = await CaptureAsync(["bt", .. HangCommands(mapKva)], continueAfter: false, ct).ConfigureAwait(false);
        if (!first.Entered) return first;
        var lwps = DdbPs.StuckLwps(first.Text).Take(MaxStacks).Select(a => $"bt/a 0x{a:x}").ToList();
        var stacks = await CaptureAsync(lwps, continueAfter: true, ct).ConfigureAwait(false);
        return new DdbTranscript(true, first.Text + stacks.Text);
    }

    /// <summary>
    /// A hang's evidence, the parties first: after `ps`, a stack (`bt/a`) for each
    /// LWP a party matches, then for every other LWP waiting for a lock ("tstile"),
    /// then `show all locks` (LOCKDEBUG kernels list each LWP's locks; others say
    /// so in one line) and <paramref name="extraLockCommands"/>; after those, the
    /// rest: the BREAK and `ps` itself, `bt` and the stacks of the other stuck
    /// LWPs.  The kernel is continued at the end.
    /// </summary>
    /// <param name="notYet">
    /// Says why this moment does not show what is wanted (a party runnable between two
    /// sleeps), or null when it does: then the kernel is continued and looked at again
    /// after <see cref="LookAgainAfter"/>, at most <see cref="MaxLooks"/> times in all.
    /// </param>
    public async Task<DdbTranscript> CaptureWithPartiesAsync(IReadOnlyList<DdbParty> parties,
        IEnumerable<string>? extraLockCommands = null, CancellationToken ct = default,
        Func<IReadOnlyList<DdbPsRow>, string?>? notYet = null)
    {
        var rest = new StringBuilder();
        var lead = new StringBuilder();
        try
        {
            var ps = new StringBuilder();
            List<DdbPsRow> rows;
            for (int look = 1; ; look++)
            {
                if (!await EnterAsync(rest, ct).ConfigureAwait(false))
                    return new DdbTranscript(false, lead.Append(rest).ToString());
                ps.Clear();
                if (!await RunAsync("ps", ps, ct).ConfigureAwait(false))
                    return new DdbTranscript(true, lead.Append(rest).Append(ps).ToString());
                rest.Append(ps);
                rows = DdbPs.Rows(ps.ToString()).ToList();
                if (notYet?.Invoke(rows) is not { } why) break;
                if (look >= MaxLooks)
                {
                    lead.Append($"[kshim: look {look} of {MaxLooks}: {why}; captured as it is]\n");
                    break;
                }
                lead.Append($"[kshim: look {look}: {why}; continued, looking again in {LookAgainAfter.TotalMilliseconds:0} ms]\n");
                await console.TypeAsync("c\r", ct).ConfigureAwait(false);
                await Task.Delay(LookAgainAfter, ct).ConfigureAwait(false);
            }
            var roles = new List<(DdbPsRow Row, List<string> Roles)>();
            void Note(DdbPsRow r, string role)
            {
                var at = roles.FindIndex(x => x.Row.Lwp == r.Lwp);
                if (at < 0) roles.Add((r, [role]));
                else if (!roles[at].Roles.Contains(role)) roles[at].Roles.Add(role);
            }
            foreach (var p in parties)
            {
                var hits = rows.Where(p.Matches).ToList();
                if (hits.Count == 0) lead.Append($"[kshim: {p.Role}: not in ps]\n");
                foreach (var r in hits) Note(r, p.Role);
            }
            foreach (var r in rows.Where(r => r.WaitsForLock)) Note(r, $"waits for a lock ({r.Wait})");
            lead.Insert(0, "[kshim: the parties, from ps]\n" +
                string.Concat(roles.Select(x => $"  {string.Join("; ", x.Roles)}: {x.Row.Line}\n")));
            bool ok = true;
            foreach (var (row, _) in roles)
                if (ok) ok = await RunAsync($"bt/a 0x{row.Lwp:x}", lead, ct).ConfigureAwait(false);
            foreach (var cmd in (string[])["show all locks", .. extraLockCommands ?? []])
                if (ok) ok = await RunAsync(cmd, lead, ct).ConfigureAwait(false);
            if (ok)
            {
                rest.Append("\n[kshim: the rest]\n");
                var seen = roles.Select(x => x.Row.Lwp).ToHashSet();
                var others = DdbPs.StuckLwps(ps.ToString()).Where(a => !seen.Contains(a)).Take(MaxStacks);
                foreach (var cmd in (string[])["bt", .. others.Select(a => $"bt/a 0x{a:x}")])
                    if (ok) ok = await RunAsync(cmd, rest, ct).ConfigureAwait(false);
            }
            if (ok) await console.TypeAsync("c\r", ct).ConfigureAwait(false);
            return new DdbTranscript(true, lead.Append('\n').Append(rest).ToString()) { Ps = rows };
        }
        catch (IOException e)
        {
            rest.Append($"\n[kshim: the console closed during the capture: {e.Message}]\n");
            return new DdbTranscript(false, lead.Append(rest).ToString());
        }
    }

    /// <summary>
    /// Enter ddb (unless the kernel already sits at a prompt), run the
    /// commands, and optionally continue the kernel.  Never throws for a
    /// silent kernel: the transcript then says what did not answer.
    /// </summary>
    public async Task<DdbTranscript> CaptureAsync(IEnumerable<string> commands, bool continueAfter, CancellationToken ct = default)
    {
        var text = new StringBuilder();
        try
        {
            return await CaptureCoreAsync(text, commands, continueAfter, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            text.Append($"\n[kshim: the console closed during the capture: {e.Message}]\n");
            return new DdbTranscript(false, text.ToString());
        }
    }

    private async Task<DdbTranscript> CaptureCoreAsync(StringBuilder text, IEnumerable<string> commands, bool continueAfter, CancellationToken ct)
    {
        bool entered = await EnterAsync(text, ct).ConfigureAwait(false);
        if (!entered)
            return new DdbTranscript(false, text.ToString());
        foreach (var cmd in commands)
        {
            if (!await RunAsync(cmd, text, ct).ConfigureAwait(false))
                return new DdbTranscript(true, text.ToString());
        }
        if (continueAfter)
            await console.TypeAsync("c\r", ct).ConfigureAwait(false);
        return new DdbTranscript(true, text.ToString());
    }

    private async Task<bool> EnterAsync(StringBuilder text, CancellationToken ct)
    {
        // Already stopped there (after a panic, or a probe that left ddb at its prompt):
        // the console's last, unfinished line is ddb's prompt, not even the echo of a `c` after it.
        if (ConsolePatterns.Match(console.PartialLine) is { Kind: ConsoleEventKind.DdbPrompt })
            return true;
        var since = DateTimeOffset.UtcNow;
        int pos = console.Position;
        await console.SendBreakAsync(ct).ConfigureAwait(false);
        try
        {
            await watcher.WaitForAsync(e => e.Kind == ConsoleEventKind.DdbPrompt, PromptTimeout, since, ct).ConfigureAwait(false);
            text.Append(console.TextSince(pos));
            return true;
        }
        catch (Exception e) when (e is TimeoutException or ConsoleClosedException)
        {
            text.Append(console.TextSince(pos));
            text.Append($"\n[kshim: no ddb prompt within {PromptTimeout.TotalSeconds:0} s of a serial BREAK: {e.Message}]\n");
            return false;
        }
    }

    private async Task<bool> RunAsync(string command, StringBuilder text, CancellationToken ct)
    {
        int pos = console.Position;
        var since = DateTimeOffset.UtcNow;
        await console.TypeAsync(command + "\r", ct).ConfigureAwait(false);
        while (true)
        {
            ConsoleEvent ev;
            try
            {
                ev = await watcher.WaitForAsync(
                    e => e.Kind is ConsoleEventKind.DdbPrompt or ConsoleEventKind.DdbMore,
                    PromptTimeout, since, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or ConsoleClosedException)
            {
                text.Append(console.TextSince(pos));
                text.Append($"\n[kshim: '{command}' did not return to the prompt: {e.Message}]\n");
                return false;
            }
            since = ev.At.AddTicks(1);
            if (ev.Kind == ConsoleEventKind.DdbPrompt) break;
            await console.TypeAsync(" ", ct).ConfigureAwait(false);
        }
        text.Append(console.TextSince(pos));
        return true;
    }
}

/// <summary>What ddb printed; <see cref="Entered"/> is false when it never answered.</summary>
public sealed record DdbTranscript(bool Entered, string Text)
{
    /// <summary>The LWPs of the capture's `ps`, when it ran one.</summary>
    public IReadOnlyList<DdbPsRow> Ps { get; init; } = [];
}
