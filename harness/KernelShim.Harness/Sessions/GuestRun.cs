using System.Diagnostics;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Ddb;
using KernelShim.Harness.KernelConsole;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Verdicts;
using KernelShim.Harness.WarmStart;

namespace KernelShim.Harness.Sessions;

/// <summary>The deadlines of one VM run: every run ends, and says why.</summary>
public sealed record RunDeadlines
{
    /// <summary>From QEMU start to the agent's READY.</summary>
    public TimeSpan Boot { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The whole run, boot included.</summary>
    public TimeSpan Wall { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>One agent request (no progress for this long is a hang).</summary>
    public TimeSpan Request { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Boots a guest, waits for its agent, runs a body, and turns whatever
/// happens into one <see cref="Verdict"/>: a panic on the console, a hang
/// (with a ddb transcript), a lost channel, an infrastructure failure or
/// the body's own verdict.  Never hangs itself: everything has a deadline.
/// </summary>
public sealed class GuestRun(IMachineBackend backend, MachineSpec spec, RunDeadlines deadlines)
{
    /// <summary>Called with progress lines ("booting", "READY: ...").</summary>
    public Action<string>? Progress { get; init; }

    public string Target { get; init; } = "";

    /// <summary>
    /// The body needs the uvmshim module: a READY that reports a failed load ends the run
    /// as an infrastructure error before the body runs (a NetBSD guest; the test guest's is emulated).
    /// </summary>
    public bool RequireModule { get; init; }

    /// <summary>
    /// Start from a saved state when there is one for this VM (and fall back to a cold boot when
    /// it cannot be restored); otherwise boot cold and save the state at READY for later runs.
    /// Null: always cold.
    /// </summary>
    public WarmStartOptions? Warm { get; init; }

    public async Task<Verdict> RunAsync(Func<VmSession, ReadyInfo, CancellationToken, Task<Verdict>> body, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var describe = $"{Target} under QEMU on {backend.Name}, accel {spec.Accel}".Trim();
        string coldBecause = "warm starts off";
        SaveLease? lease = null;
        if (Warm is { } warm)
        {
            var state = warm.Store.Find(warm.Key, out coldBecause);
            if (state is null && coldBecause != SavedStateStore.NoStateYet)
            {
                warm.Store.Discard(warm.Key); // unreadable: the next save replaces it
                coldBecause = SavedStateStore.NoStateYet;
            }
            lease = state is null ? warm.Store.TryBeginSave(warm.Key) : null;
            if (state is null && lease is null) coldBecause = "no saved state yet; another run is saving it";
            string? madeNow = null;
            if (lease is not null && warm.RamFile)
            {
                // Guest RAM in a shared file makes a TCG guest many times slower after the save, so the
                // boot that saves only saves; this run then starts from its state like every later one.
                using (lease)
                {
                    (state, var why) = await SaveOnlyAsync(warm, lease, ct).ConfigureAwait(false);
                    if (state is null) coldBecause = $"no saved state yet; saving one failed: {why}";
                    else madeNow = $", made by a cold boot just now (READY {state.Meta.ColdReadySeconds:0.00} s, saved in {state.Meta.SaveSeconds:0.00} s)";
                }
                lease = null;
            }
            if (state is not null)
            {
                var restored = await TryWarmAsync(warm, state, madeNow ?? "", body, describe, clock, ct).ConfigureAwait(false);
                if (restored.Verdict is { } v) return v;
                coldBecause = $"warm restore failed: {restored.Failure}; fell back to a cold boot";
                Progress?.Invoke($"{coldBecause} (saved state {state.ShortKey} discarded, the next cold boot saves it again)");
                warm.Store.Discard(warm.Key);
                // The stream layout saves again from this cold boot; the RAM-image layout on the next run.
                if (!warm.RamFile) lease = warm.Store.TryBeginSave(warm.Key);
            }
        }
        using var held = lease;
        VmSession session;
        try
        {
            Progress?.Invoke($"starting QEMU ({backend.Name}, accel {spec.Accel}), cold boot");
            session = await VmSession.StartAsync(backend, spec,
                new AgentClientOptions(), TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        catch (MachineStartException e)
        {
            return new Verdict(VerdictKind.InfrastructureError, e.Message) { Target = describe, Duration = clock.Elapsed, Start = VmStart.Cold(coldBecause) };
        }
        await using (session)
        {
            var start = VmStart.Cold(coldBecause);
            Func<VmSession, ReadyInfo, Task>? atReady = lease is null ? null : async (s, ready) =>
            {
                double readySeconds = clock.Elapsed.TotalSeconds;
                try
                {
                    var saved = await StateSaver.SaveAsync(s, ready, lease, readySeconds, Warm!.KeyedOn, ct).ConfigureAwait(false);
                    start = VmStart.Cold($"{coldBecause}; saved at READY as {saved.ShortKey} for later runs in {saved.Meta.SaveSeconds:0.0} s");
                    Progress?.Invoke($"VM state saved as {saved.ShortKey} ({saved.Meta.Bytes / 1048576.0:0.0} MiB) in {saved.Meta.SaveSeconds:0.00} s");
                }
                catch (WarmStartException e)
                {
                    start = VmStart.Cold($"{coldBecause}; saving the state failed: {e.Message}");
                    Progress?.Invoke(start.Detail);
                }
            };
            var verdict = await DecideAsync(session, body, clock, null, atReady, ct).ConfigureAwait(false);
            return Finish(verdict, session, describe, clock, start);
        }
    }

    /// <summary>A cold boot to READY that saves the VM (RAM as an image of its own) and stops; null and why when it could not.</summary>
    private async Task<(SavedState? State, string Why)> SaveOnlyAsync(WarmStartOptions warm, SaveLease lease, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var ram = new ScratchRam();
        Progress?.Invoke($"no saved state yet: a cold boot to READY to save one ({backend.Name}, accel {spec.Accel})");
        try
        {
            await using var session = await VmSession.StartAsync(backend, spec with { RamFile = ram.Path, RamShared = true },
                new AgentClientOptions(), TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            var ready = await session.Agent.WaitReadyAsync(deadlines.Boot, ct).ConfigureAwait(false);
            double readySeconds = clock.Elapsed.TotalSeconds;
            var saved = await StateSaver.SaveAsync(session, ready, lease, readySeconds, warm.KeyedOn, ct).ConfigureAwait(false);
            Progress?.Invoke($"VM state saved as {saved.ShortKey} (devices {saved.Meta.Bytes / 1048576.0:0.0} MiB and a RAM image) " +
                             $"in {saved.Meta.SaveSeconds:0.00} s after READY at {readySeconds:0.00} s");
            return (saved, "");
        }
        catch (Exception e) when (e is MachineStartException or WarmStartException or AgentException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>A run from the saved state, or why it could not start from it (nothing ran then).</summary>
    private async Task<(Verdict? Verdict, string Failure)> TryWarmAsync(WarmStartOptions warm, SavedState state, string madeNow,
        Func<VmSession, ReadyInfo, CancellationToken, Task<Verdict>> body, string describe, Stopwatch clock, CancellationToken ct)
    {
        // QEMU would wait for a stream that never comes rather than fail.
        if (!File.Exists(state.StatePath)) return (null, $"the saved state's file {state.StatePath} is missing");
        VmSession session;
        try
        {
            Progress?.Invoke($"starting QEMU ({backend.Name}, accel {spec.Accel}) from saved state {state.ShortKey}");
            var restoring = spec with { IncomingState = state.StatePath };
            if (state.Meta.HasRamFile)
            {
                if (!File.Exists(state.RamPath)) return (null, $"the saved state's RAM image {state.RamPath} is missing");
                restoring = restoring with { RamFile = state.RamPath, RamShared = false };
            }
            session = await VmSession.StartAsync(backend, restoring,
                new AgentClientOptions(), TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        catch (MachineStartException e)
        {
            return (null, e.Message);
        }
        await using (session)
        {
            ReadyInfo ready;
            try
            {
                ready = await StateRestorer.RestoreAsync(session, state, deadlines.Boot,
                    line => Progress?.Invoke($"{line} ({clock.Elapsed.TotalSeconds:0.00} s since start)"), ct).ConfigureAwait(false);
            }
            catch (WarmStartException e)
            {
                return (null, e.Message);
            }
            var start = VmStart.Warm($"saved state {state.ShortKey}{madeNow}, READY of boot {ready.BootId:x16} answered HELLO");
            var verdict = await DecideAsync(session, body, clock, ready, null, ct).ConfigureAwait(false);
            return (Finish(verdict, session, describe, clock, start), "");
        }
    }

    /// <summary>When the current session's guest was READY (null until then).</summary>
    private TimeSpan? _readyAfter;

    private Verdict Finish(Verdict verdict, VmSession session, string describe, Stopwatch clock, VmStart start) =>
        verdict with
        {
            ReadyAfter = _readyAfter,
            ConsoleTail = session.Console.Tail(),
            Target = describe,
            Duration = clock.Elapsed,
            Evidence = verdict.Evidence.Append(new Evidence("console", "console log", session.ConsoleLogPath)).ToList(),
            Start = start,
        };

    private static bool IsFatal(ConsoleEvent e) => e.Kind is ConsoleEventKind.Panic or ConsoleEventKind.DiagnosticAssertion
        or ConsoleEventKind.LockingAgainstMyself or ConsoleEventKind.UvmFault;

    /// <param name="restored">The READY a restored guest answered HELLO with: no boot to wait for.</param>
    /// <param name="atReady">Runs after READY, before the body (saving the VM's state).</param>
    private async Task<Verdict> DecideAsync(VmSession s, Func<VmSession, ReadyInfo, CancellationToken, Task<Verdict>> body,
        Stopwatch clock, ReadyInfo? restored, Func<VmSession, ReadyInfo, Task>? atReady, CancellationToken ct)
    {
        _readyAfter = null;
        using var wall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wall.CancelAfter(deadlines.Wall);
        var fatal = s.Watcher.WaitForAsync(IsFatal, Timeout.InfiniteTimeSpan, ct: wall.Token);

        // Boot.
        var ready = restored is not null ? Task.FromResult(restored) : s.Agent.WaitReadyAsync(deadlines.Boot, wall.Token);
        var first = await Task.WhenAny(ready, fatal, s.Process.Exited).ConfigureAwait(false);
        if (first == fatal && fatal.IsCompletedSuccessfully) return await PanicAsync(s, fatal.Result, "during boot").ConfigureAwait(false);
        if (first == s.Process.Exited || (first == fatal && fatal.IsFaulted))
            return await ExitedAsync(s, "before the agent was READY").ConfigureAwait(false);
        ReadyInfo info;
        try
        {
            info = await ready.ConfigureAwait(false);
        }
        catch (AgentTimeoutException)
        {
            if (s.Console.Position == 0)
                return new Verdict(VerdictKind.NoOutput, $"no output at all from the VM within {deadlines.Boot.TotalSeconds:0} s");
            return await HangAsync(s, VerdictKind.Timeout, $"the console is alive but the agent sent no READY within {deadlines.Boot.TotalSeconds:0} s").ConfigureAwait(false);
        }
        catch (AgentConnectionLostException)
        {
            return await ExitedAsync(s, "before the agent was READY").ConfigureAwait(false);
        }
        _readyAfter = clock.Elapsed;
        Progress?.Invoke($"READY after {_readyAfter.Value.TotalSeconds:0.00} s{(restored is null ? "" : " (restored)")}: {info}");
        if (atReady is not null) await atReady(s, info).ConfigureAwait(false);

        if (RequireModule && info.ModuleError != 0)
            return new Verdict(VerdictKind.InfrastructureError, $"the agent could not load uvmshim.kmod: errno {info.ModuleError}");

        // The body.  A request that goes quiet is looked into at once (ddb's ps), not at the deadline.
        var probe = new StuckAgentProbe(s.Console, s.Watcher) { Progress = Progress };
        s.Agent.HangProbe = probe.LookAsync;
        var work = Task.Run(() => body(s, info, wall.Token), wall.Token);
        var deadline = Task.Delay(Timeout.InfiniteTimeSpan, wall.Token);
        var done = await Task.WhenAny(work, fatal, s.Process.Exited, deadline).ConfigureAwait(false);
        if (done == fatal && fatal.IsCompletedSuccessfully) return await PanicAsync(s, fatal.Result, "during the run").ConfigureAwait(false);
        // A faulted console wait means the console closed: QEMU is gone.
        if (done == s.Process.Exited || (done == fatal && fatal.IsFaulted))
            return s.Watcher.FirstFatal is { } f ? await PanicAsync(s, f, "then QEMU exited").ConfigureAwait(false) : await ExitedAsync(s, "during the run").ConfigureAwait(false);
        if (done == deadline || done == fatal)
            return await HangAsync(s, VerdictKind.Timeout, $"the run passed its wall-clock deadline of {deadlines.Wall.TotalSeconds:0} s").ConfigureAwait(false);
        try
        {
            return await work.ConfigureAwait(false);
        }
        catch (AgentHangException e)
        {
            if (s.Watcher.FirstFatal is { } pf) return await PanicAsync(s, pf, "while a request was pending").ConfigureAwait(false);
            return await StuckAsync(s, e, probe.DetectedAt ?? DateTimeOffset.UtcNow).ConfigureAwait(false);
        }
        catch (AgentTimeoutException e)
        {
            if (s.Watcher.FirstFatal is { } pf) return await PanicAsync(s, pf, "while a request was pending").ConfigureAwait(false);
            return await HangAsync(s, VerdictKind.Timeout, $"the guest stopped answering: {e.Message}").ConfigureAwait(false);
        }
        catch (AgentRestartedException e)
        {
            return new Verdict(VerdictKind.LostConnection, e.Message);
        }
        catch (AgentConnectionLostException e)
        {
            if (s.Watcher.FirstFatal is { } pf) return await PanicAsync(s, pf, "and the agent channel closed").ConfigureAwait(false);
            return new Verdict(VerdictKind.LostConnection, e.Message);
        }
        catch (AgentProtocolException e)
        {
            return new Verdict(VerdictKind.LostConnection, $"protocol violation: {e.Message}");
        }
    }

    /// <summary>
    /// QEMU went away.  With nothing on the console and a failure status it
    /// never ran the guest (bad kernel path, bad option): infrastructure.
    /// </summary>
    private static async Task<Verdict> ExitedAsync(VmSession s, string when)
    {
        await Task.WhenAny(s.Process.Exited, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        long status = s.Process.Exited.IsCompletedSuccessfully ? s.Process.Exited.Result : -1;
        await Task.Delay(200).ConfigureAwait(false); // let the output pump drain
        var qemu = s.Process.OutputTail.Trim();
        var summary = $"QEMU exited with status {status} {when}" + (qemu.Length > 0 ? $": {qemu}" : "");
        bool neverRan = status != 0 && s.Console.Position == 0;
        return new Verdict(neverRan ? VerdictKind.InfrastructureError : VerdictKind.LostConnection, summary);
    }

    /// <summary>A panic: NetBSD's ddb has already stopped the kernel; ask it for stacks.</summary>
    private static async Task<Verdict> PanicAsync(VmSession s, ConsoleEvent ev, string when)
    {
        var ddb = new DdbCapture(s.Console, s.Watcher) { PromptTimeout = TimeSpan.FromSeconds(10) };
        var transcript = await ddb.CaptureAsync(["bt", "ps", "show all locks"], continueAfter: false).ConfigureAwait(false);
        return new Verdict(VerdictKind.Panic, $"{ev.Kind} {when}: {ev.Detail}")
        {
            Evidence = [new Evidence("ddb", transcript.Text)],
        };
    }

    /// <summary>
    /// The agent is stuck in the kernel (the probe left ddb at its prompt): the stacks of
    /// the agent and of every LWP waiting for a lock first, `show all locks`, then the rest.
    /// DEADLOCK when an LWP waits for a lock meanwhile (a wait-for chain, shown in the
    /// transcript), TIMEOUT otherwise (asleep with nothing proven circular).
    /// </summary>
    private static async Task<Verdict> StuckAsync(VmSession s, AgentHangException e, DateTimeOffset detected)
    {
        var ddb = new DdbCapture(s.Console, s.Watcher) { PromptTimeout = TimeSpan.FromSeconds(10) };
        var parties = new[] { DdbParty.ByLid("the agent, its request unanswered", lid: 1, pid: 1) };
        var transcript = await ddb.CaptureWithPartiesAsync(parties, ct: CancellationToken.None).ConfigureAwait(false);
        var took = DateTimeOffset.UtcNow - detected;
        var waiters = transcript.Ps.Where(r => r.WaitsForLock).Select(r => $"{r.Name} (lid {r.Lid}) on \"{r.Wait}\"").ToList();
        var kind = waiters.Count > 0 ? VerdictKind.Deadlock : VerdictKind.Timeout;
        var summary = $"the guest is stuck: {e.Message}" +
            (waiters.Count > 0 ? $"; waiting for a lock meanwhile: {string.Join(", ", waiters)}" : "") +
            (transcript.Entered ? $"; ddb stacks captured {took.TotalSeconds:0.0} s after the hang was detected" : "; ddb did not answer a BREAK");
        return new Verdict(kind, summary)
        {
            Evidence =
            [
                new Evidence("ddb", transcript.Text),
                new Evidence("hang", $"request quiet {e.Silence.Waited.TotalSeconds:0.0} s before detection; capture done {took.TotalSeconds:0.0} s after detection"),
            ],
        };
    }

    /// <summary>A hang: break into ddb, collect stacks, locks and processes, then let the kernel go on.</summary>
    private static async Task<Verdict> HangAsync(VmSession s, VerdictKind kind, string summary)
    {
        var ddb = new DdbCapture(s.Console, s.Watcher) { PromptTimeout = TimeSpan.FromSeconds(10) };
        var transcript = await ddb.CaptureHangAsync(null).ConfigureAwait(false);
        return new Verdict(kind, summary + (transcript.Entered ? "; ddb transcript captured" : "; ddb did not answer a BREAK"))
        {
            Evidence = [new Evidence("ddb", transcript.Text)],
        };
    }
}
