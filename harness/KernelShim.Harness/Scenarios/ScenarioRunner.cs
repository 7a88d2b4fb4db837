using System.Diagnostics;
using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Verdicts;

namespace KernelShim.Harness.Scenarios;

/// <summary>
/// Runs scenario cases on a device: each case on a fresh map under one
/// policy, every expectation checked, the first mismatch failing the case
/// with the file and line of the step.  A factory for the reference model
/// (the oracle) lets random steps on another target be compared exactly.
/// </summary>
public sealed class ScenarioRunner(IUvmshimDevice device, Func<IUvmshimDevice>? oracle = null)
{
    private readonly UvmshimClient _client = new(device);
    private ulong _pageSize;
    private bool _modelled;
    private bool _parks;

    public string Target => device.Description;

    /// <summary>What the cases move over a guest's line (<see cref="LineUse"/>); the model has no line.</summary>
    public LineUse Line { get; init; } = LineUse.Lean;

    private bool Lean => Line == LineUse.Lean;

    public CaseResult Run(Scenario scenario, ScenarioCase c, string policy)
    {
        var sw = Stopwatch.StartNew();
        var ctx = new CaseContext(policy);
        var intent = c.IntentUnder(policy);
        Verdict verdict;
        // An agent that stopped answering, restarted or went away ends the run, not
        // just this case: the exception goes to the caller (GuestRun turns it into the
        // VM's verdict, with ddb evidence, and the matrix gives it to this case and
        // "not reached" to the rest).  No clean-up request is sent to a stuck guest.
        bool agentGone = false;
        try
        {
            var version = _client.Version();
            _pageSize = version.page_size;
            _modelled = CounterSource.For(0, version).Modelled;
            _parks = (version.features & UvmshimIoctl.UVMSHIM_FEAT_PARKED_ENTRIES) != 0;
            ctx.MapId = _client.CreateMap(scenario.MapPages * _pageSize, PolicyNames.Parse(policy));
            try
            {
                foreach (var step in c.Steps)
                {
                    var mismatch = Execute(step, ctx, scenario.MapPages);
                    if (mismatch is not null)
                        throw new ExpectationException($"{step.Source}: {mismatch} (policy {policy})");
                }
                verdict = Verdict.Passed(intent == CaseIntent.Reproduction
                    ? $"reproduced {c.Bug}: {c.Steps.Count} step(s)"
                    : $"{c.Steps.Count} step(s)");
            }
            catch (AgentException)
            {
                agentGone = true;
                throw;
            }
            finally
            {
                if (!agentGone)
                {
                    ctx.FinalStats = _client.Stats(ctx.MapId);
                    _client.DestroyMap(ctx.MapId);
                }
            }
        }
        catch (ExpectationException e) when (intent == CaseIntent.Reproduction && ctx.BugDidNotForm)
        {
            verdict = new Verdict(VerdictKind.NotReproduced, $"{c.Bug} did not form: {e.Message}");
        }
        catch (ExpectationException e) { verdict = Verdict.Failed(e.Message); }
        catch (UvmshimException e) { verdict = Verdict.Failed($"unexpected {e.Message}"); }
        var s = ctx.FinalStats;
        var metrics = new CaseMetrics
        {
            Entries = (long)s.nentries,
            PeakEntries = (long)s.peak_entries,
            Merges = (long)(s.back_merges + s.forw_merges + s.bi_merges),
            Clips = (long)(s.clips_start + s.clips_end),
            Allocs = (long)s.entry_allocs,
            AllocsLocked = (long)s.entry_allocs_locked + ctx.CycleAllocsLocked,
            Frees = (long)s.entry_frees,
            Maps = (long)s.maps,
            Unmaps = (long)s.unmaps,
            Deadlock = ctx.Deadlock,
            EntriesOverTime = ctx.EntriesOverTime,
            Latency = ctx.Latency,
            TargetMilliseconds = ctx.TargetNs / 1e6,
        };
        return new CaseResult(scenario.Name, c.Name, policy, Target,
            verdict with { Target = Target, Duration = sw.Elapsed, Evidence = ctx.Evidence }, metrics)
        {
            Intent = intent,
            Bug = intent == CaseIntent.Reproduction ? c.Bug : null,
        };
    }

    private sealed class CaseContext(string policy)
    {
        public string Policy { get; } = policy;
        public uint MapId;
        public uvmshim_stats FinalStats;
        public bool? Deadlock;
        public long CycleAllocsLocked;
        /// <summary>A cycle step expected the deadlock and the run completed.</summary>
        public bool BugDidNotForm;
        public double TargetNs;
        public List<long> EntriesOverTime { get; } = [];
        public List<LatencyPoint> Latency { get; } = [];
        public List<Evidence> Evidence { get; } = [];
    }

    private sealed class ExpectationException(string message) : Exception(message);

    /// <summary>Runs one step; null when every expectation held, else what differed.</summary>
    private string? Execute(Step step, CaseContext ctx, ulong mapPages)
    {
        string? mismatch = step switch
        {
            MapStep m => DoMap(m, ctx),
            UnmapStep u => DoUnmap(u, ctx),
            LookupStep l => DoLookup(l, ctx),
            EntriesStep e => DoEntries(e, ctx),
            StatsStep s => DoStats(s, ctx),
            CycleStep c => DoCycle(c, ctx),
            RandomStep r => DoRandom(r, ctx, mapPages),
            FragmentStep f => DoFragment(f, ctx),
            StressStep st => DoStress(st, ctx),
            _ => throw new InvalidOperationException(step.GetType().Name),
        };
        if (mismatch is not null) return mismatch;
        if (step.Entries is { } want && want.TryGet(ctx.Policy, out long n))
        {
            long got = EntryCount(ctx.MapId);
            if (got != n) return $"expected {n} entries, got {got}";
        }
        return null;
    }

    private long EntryCount(uint mapId)
    {
        var d = new uvmshim_dump { map_id = mapId };
        Check("DUMP", device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_DUMP, ref d));
        return d.nentries;
    }

    /// <summary>Compare an errno with the step's error expectation (success expected when unset).</summary>
    private static string? ErrorMismatch(Step step, string policy, int errno)
    {
        string want = step.Error is { } e && e.TryGet(policy, out var w) ? w : "none";
        string got = errno == 0 ? "none" : Errno.Name(errno);
        return want == got ? null : $"expected error {want}, got {got}";
    }

    private static string? Compare<T>(string what, PerPolicy<T>? want, string policy, T got)
    {
        if (want is null || !want.TryGet(policy, out var w)) return null;
        return EqualityComparer<T>.Default.Equals(w, got) ? null : $"expected {what} {w}, got {got}";
    }

    private static readonly string[] OutcomeNames = ["none", "new-entry", "back-merge", "forw-merge", "bi-merge"];

    private string? DoMap(MapStep m, CaseContext ctx)
    {
        var req = new uvmshim_map_req
        {
            map_id = ctx.MapId,
            addr = (ulong)(m.At ?? m.Hint) * _pageSize,
            size = (ulong)m.Pages * _pageSize,
            prot = m.Prot,
            flags = (m.At is not null ? UvmshimIoctl.UVMSHIM_MAPF_FIXED : 0) | (m.NoMerge ? UvmshimIoctl.UVMSHIM_MAPF_NOMERGE : 0),
        };
        int rc = device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_MAP, ref req);
        if (ErrorMismatch(m, ctx.Policy, rc) is { } e) return e;
        if (rc != 0) return null;
        return Compare("outcome", m.Outcome, ctx.Policy, OutcomeNames[Math.Min(req.outcome, 4u)])
            ?? Compare("placement (page)", m.Placed, ctx.Policy, (long)(req.placed / _pageSize));
    }

    private string? DoUnmap(UnmapStep u, CaseContext ctx)
    {
        var req = new uvmshim_unmap_req { map_id = ctx.MapId, start = (ulong)u.From * _pageSize, end = (ulong)u.To * _pageSize };
        int rc = device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_UNMAP, ref req);
        if (ErrorMismatch(u, ctx.Policy, rc) is { } e) return e;
        if (rc != 0) return null;
        return Compare("clips", u.Clips, ctx.Policy, (long)req.clips)
            ?? Compare("allocations under the map lock", u.AllocsLocked, ctx.Policy, (long)req.allocs_locked);
    }

    private string? DoLookup(LookupStep l, CaseContext ctx)
    {
        var req = new uvmshim_lookup { map_id = ctx.MapId, addr = (ulong)l.At * _pageSize };
        int rc = device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_LOOKUP, ref req);
        if (ErrorMismatch(l, ctx.Policy, rc) is { } e) return e;
        if (rc != 0) return null;
        return Compare("found", l.Found, ctx.Policy, req.found != 0)
            ?? Compare("entry", l.Entry, ctx.Policy, ((long)(req.entry.start / _pageSize), (long)(req.entry.end / _pageSize)));
    }

    private string? DoEntries(EntriesStep e, CaseContext ctx)
    {
        if (!e.Expected.TryGet(ctx.Policy, out var want)) return null;
        var got = _client.Dump(ctx.MapId).Select(x => ((long)(x.start / _pageSize), (long)(x.end / _pageSize))).ToList();
        return want.SequenceEqual(got) ? null
            : $"expected entries {Format(want)}, got {Format(got)}";
    }

    internal static string Format(IEnumerable<(long Start, long End)> entries) =>
        "[" + string.Join(", ", entries.Select(x => $"[{x.Start},{x.End})")) + "]";

    private string? DoStats(StatsStep s, CaseContext ctx)
    {
        var st = _client.Stats(ctx.MapId);
        foreach (var (name, want) in s.Counters)
        {
            long got = name == "clips" ? (long)(st.clips_start + st.clips_end)
                : Convert.ToInt64(typeof(uvmshim_stats).GetField(name)!.GetValue(st));
            if (Compare(name, want, ctx.Policy, got) is { } m) return m;
        }
        return null;
    }

    private string? DoCycle(CycleStep c, CaseContext ctx)
    {
        var req = new uvmshim_cycle
        {
            policy = (uint)PolicyNames.Parse(ctx.Policy),
            bound_ms = c.BoundMs,
            hold_ms = c.HoldMs,
            npages = (uint)c.Pages,
            flags = c.Recover ? UvmshimIoctl.UVMSHIM_CYCLEF_RECOVER : 0,
        };
        int rc = device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_CYCLE, ref req);
        if (ErrorMismatch(c, ctx.Policy, rc) is { } e) return e;
        if (rc != 0) return null;
        var evidence = CycleEvidence.From(req, _modelled);
        ctx.Evidence.Add(new Evidence("cycle", evidence.ToString()));
        ctx.Deadlock = evidence.Deadlock;
        ctx.CycleAllocsLocked += req.allocs_locked;
        if (req.verdict == (uint)uvmshim_cycle_verdict.UVMSHIM_CYCLE_ERROR)
            return $"the cycle could not be set up: {Errno.Name(req.error)}";
        var mismatch = Compare("verdict", c.Verdict, ctx.Policy, evidence.Deadlock ? "deadlock" : "completed");
        ctx.BugDidNotForm = mismatch is not null && !evidence.Deadlock;
        return mismatch;
    }

    private string? DoRandom(RandomStep r, CaseContext ctx, ulong mapPages)
    {
        var ops = RandomScript.Generate(r.Seed, r.Ops, (long)mapPages, r.MaxPages, _pageSize);
        bool twin = device.Kind != DeviceKind.Model && oracle is not null;
        if (twin && Lean)
            return DoRandomByDigest(r, ctx, mapPages, ops);
        var results = RunBatched(ctx, ops);
        var entries = _client.Dump(ctx.MapId);
        if (MapInvariants.Check(entries, mapPages * _pageSize, _client.Stats(ctx.MapId)) is { } broken)
            return $"random seed {r.Seed}: invariant broken: {broken}";
        if (!twin) return null;
        using var model = oracle!();
        var mine = new ScenarioRunner(model).RunTwin(ctx.Policy, _parks, mapPages, ops, _pageSize);
        return FirstDifference(mine, ops, results, entries);
    }

    /// <summary>
    /// A random script on a target with the model beside it.  The target makes
    /// the script from the seed (GENERATE), runs it, and answers with two
    /// digests (its results, its entries) computed by the same native/core code
    /// as the model's: equal digests mean equal results and entry lists, and
    /// neither an op nor a result nor an entry crosses the serial line.
    /// Only when a digest differs does the script run again on a fresh map of
    /// the target with every result brought back, to name the first difference.
    /// </summary>
    private string? DoRandomByDigest(RandomStep r, CaseContext ctx, ulong mapPages, uvmshim_op[] ops)
    {
        var batch = _client.BatchGenerated(ctx.MapId, r.Seed, r.Ops, (uint)r.MaxPages);
        ctx.TargetNs += batch.nsec;
        var (count, entriesDigest) = _client.DumpDigest(ctx.MapId);
        var stats = _client.Stats(ctx.MapId);
        using var model = oracle!();
        var twin = new ScenarioRunner(model);
        var mine = twin.RunTwin(ctx.Policy, _parks, mapPages, ops, _pageSize);
        if (mine.Batch.digest == batch.digest && mine.EntriesDigest == entriesDigest && mine.Entries.Length == count)
        {
            // Equal digests: the target's entries are the model's (start, end, prot).
            ctx.Evidence.Add(new Evidence("digest", $"results 0x{batch.digest:x16} and entries 0x{entriesDigest:x16} ({count}) " +
                "equal the model's; nothing else crossed the line"));
            return MapInvariants.Check(mine.Entries, mapPages * _pageSize, stats) is { } broken
                ? $"random seed {r.Seed}: invariant broken: {broken}" : null;
        }
        string what = mine.Batch.digest != batch.digest
            ? $"results digest 0x{batch.digest:x16}, model 0x{mine.Batch.digest:x16}"
            : $"entries digest 0x{entriesDigest:x16} ({count}), model 0x{mine.EntriesDigest:x16} ({mine.Entries.Length})";
        return $"random seed {r.Seed}: the target differs from the model ({what}); " + Rerun(r, ctx.Policy, mapPages, ops, mine);
    }

    /// <summary>The script again on a fresh map of the target, every result brought back, compared op by op.</summary>
    private string Rerun(RandomStep r, string policy, ulong mapPages, uvmshim_op[] ops, TwinRun mine)
    {
        uint id = _client.CreateMap(mapPages * _pageSize, PolicyNames.Parse(policy));
        try
        {
            var theirs = new uvmshim_op_result[ops.Length];
            _client.BatchGenerated(id, r.Seed, r.Ops, (uint)r.MaxPages, theirs);
            var entries = _client.Dump(id);
            return "run again on a fresh map: " + (FirstDifference(mine, ops, theirs, entries)
                ?? "no difference (the target did not give the same results twice)");
        }
        finally
        {
            _client.DestroyMap(id);
        }
    }

    /// <summary>What the model did with a script: its results, its digests, its entries.</summary>
    private sealed record TwinRun(uvmshim_policy ModelPolicy, uvmshim_batch Batch, uvmshim_op_result[] Results, uvmshim_entry[] Entries, ulong EntriesDigest);

    /// <summary>Run the script on this (model) device under the policy that stands for the target's map.</summary>
    /// <param name="parks">The target kernel parks spare entries (Thorpe's patch, UVMSHIM_FEAT_PARKED_ENTRIES):
    /// <see cref="ModelTwin"/> says which model policy stands for its map.</param>
    private TwinRun RunTwin(string policy, bool parks, ulong mapPages, uvmshim_op[] ops, ulong pageSize)
    {
        var (modelPolicy, mapFlags) = ModelTwin.For(policy, parks);
        uint id = _client.CreateMap(mapPages * pageSize, modelPolicy);
        try
        {
            var (batch, results) = _client.Batch(id, ModelTwin.Ops(ops, mapFlags));
            var (_, digest) = _client.DumpDigest(id);
            return new TwinRun(modelPolicy, batch, results, _client.Dump(id), digest);
        }
        finally
        {
            _client.DestroyMap(id);
        }
    }

    /// <summary>The first op (or the entry list) where the target and the model differ, or null.</summary>
    private static string? FirstDifference(TwinRun mine, uvmshim_op[] ops, uvmshim_op_result[] theirs, uvmshim_entry[] theirEntries)
    {
        var ours = mine.Results;
        for (int i = 0; i < ops.Length; i++)
        {
            if (ours[i].error != theirs[i].error || ours[i].outcome != theirs[i].outcome || ours[i].addr != theirs[i].addr)
                return $"op {i} ({(uvmshim_op_kind)ops[i].kind} at 0x{ops[i].addr:x}): target gave error {theirs[i].error} outcome {theirs[i].outcome} addr 0x{theirs[i].addr:x}, model gave {ours[i].error}/{ours[i].outcome}/0x{ours[i].addr:x}";
            if (CounterDivergence(ops[i], theirs[i], ours[i]) is { } d)
                return $"op {i} ({(uvmshim_op_kind)ops[i].kind} at 0x{ops[i].addr:x}, model policy {mine.ModelPolicy}): {d}";
        }
        if (!mine.Entries.Select(e => (e.start, e.end, e.prot)).SequenceEqual(theirEntries.Select(e => (e.start, e.end, e.prot))))
            return $"entry lists differ: target has {theirEntries.Length}, model has {mine.Entries.Length}";
        return null;
    }

    /// <summary>The entry counters of one map or unmap op, target against model, or null when they agree.</summary>
    private static string? CounterDivergence(uvmshim_op op, uvmshim_op_result target, uvmshim_op_result model)
    {
        if (op.kind is not ((uint)uvmshim_op_kind.UVMSHIM_OP_MAP or (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP) || target.error != 0)
            return null;
        var t = (target.allocs, target.frees, target.allocs_locked, target.clips);
        var m = (model.allocs, model.frees, model.allocs_locked, model.clips);
        if (t == m) return null;
        var src = new CounterSource(target.counted, false);
        return $"target allocs {t.allocs} ({src.Of(UvmshimIoctl.UVMSHIM_CNT_ALLOCS)}), frees {t.frees} ({src.Of(UvmshimIoctl.UVMSHIM_CNT_FREES)}), " +
               $"under the lock {t.allocs_locked} ({src.Of(UvmshimIoctl.UVMSHIM_CNT_ALLOCS_LOCKED)}), clips {t.clips} ({src.Of(UvmshimIoctl.UVMSHIM_CNT_CLIPS)}); " +
               $"model allocs {m.allocs}, frees {m.frees}, under the lock {m.allocs_locked}, clips {m.clips}";
    }

    /// <summary>A batch whose time counts towards the case and whose entry counts feed the chart.</summary>
    private uvmshim_op_result[] RunBatched(CaseContext ctx, uvmshim_op[] ops)
    {
        var (batch, results) = _client.Batch(ctx.MapId, ops);
        ctx.TargetNs += batch.nsec;
        int stride = Math.Max(1, results.Length / 200);
        for (int i = 0; i < results.Length; i += stride) ctx.EntriesOverTime.Add(results[i].nentries);
        return results;
    }

    /// <summary>
    /// N equal allocations in growing chunks, then a random share freed.  What
    /// crosses the line is kept small: each chunk is one op repeated (REPEAT),
    /// lookups and frees are one op and their addresses (REPEAT with AT),
    /// results come back brief (address, errno, entries), and the latency
    /// probes bring back only their time.
    /// </summary>
    private string? DoFragment(FragmentStep f, CaseContext ctx)
    {
        var size = (ulong)f.Pages * _pageSize;
        var map = new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, size = size, prot = 3 };
        var placed = new List<ulong>(f.Allocations);
        // Allocate in growing chunks so latency can be read at 10, 100, 1000, ... entries.
        int done = 0;
        var rng = new Random(f.Seed);
        foreach (int target in Checkpoints(f.Allocations))
        {
            var results = new uvmshim_op_brief[target - done];
            var batch = At(ctx.MapId, map, null, results);
            ctx.TargetNs += batch.nsec;
            if (results.FirstOrDefault(r => r.error != 0) is { error: not 0 } bad)
                return $"fragment: allocation failed with {Errno.Name(bad.error)} after {placed.Count} allocations";
            placed.AddRange(results.Select(r => r.addr));
            Sample(ctx, results, f.Allocations);
            var lookups = Enumerable.Range(0, 256).Select(_ => placed[rng.Next(placed.Count)]).ToArray();
            var lb = At(ctx.MapId, new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_LOOKUP }, lookups, null);
            long entries = EntryCount(ctx.MapId);
            ctx.Latency.Add(new LatencyPoint(target, entries, (double)batch.nsec / (target - done), (double)lb.nsec / lookups.Length));
            done = target;
        }
        var frees = placed.Where(_ => rng.NextDouble() < f.FreeShare).ToArray();
        if (frees.Length > 0)
        {
            var fr = new uvmshim_op_brief[frees.Length];
            var fb = At(ctx.MapId, new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP, size = size }, frees, fr);
            ctx.TargetNs += fb.nsec;
            if (fr.FirstOrDefault(r => r.error != 0) is { error: not 0 } bad)
                return $"fragment: free failed with {Errno.Name(bad.error)}";
            Sample(ctx, fr, f.Allocations);
        }
        return null;
    }

    /// <summary>
    /// One op at each of <paramref name="addrs"/>, or <c>results.Length</c> times where
    /// <paramref name="addrs"/> is null; brief results into <paramref name="results"/> when
    /// given.  The one place the fragmentation step's line use is decided: the lean line sends
    /// the op once (REPEAT, AT), the full line every op, and takes every full result back.
    /// </summary>
    private uvmshim_batch At(uint mapId, uvmshim_op op, ulong[]? addrs, uvmshim_op_brief[]? results)
    {
        if (Lean && addrs is not null)
            return _client.RepeatAt(mapId, op, addrs, results);
        if (Lean)
        {
            var (repeated, brief) = _client.RepeatBrief(mapId, op, results!.Length);
            brief.CopyTo(results, 0);
            return repeated;
        }
        var ops = addrs is null ? Enumerable.Repeat(op, results!.Length).ToArray() : addrs.Select(a => op with { addr = a }).ToArray();
        var (batch, full) = _client.Batch(mapId, ops);
        for (int i = 0; results is not null && i < full.Length; i++)
            results[i] = new uvmshim_op_brief { addr = full[i].addr, error = full[i].error, nentries = full[i].nentries };
        return batch;
    }

    /// <summary>Keep about 1000 points of entries-over-time for an N-allocation run (charts, not every op).</summary>
    private static void Sample(CaseContext ctx, uvmshim_op_brief[] results, int n)
    {
        int stride = Math.Max(1, n / 1000);
        for (int i = 0; i < results.Length; i += stride) ctx.EntriesOverTime.Add(results[i].nentries);
    }

    private static IEnumerable<int> Checkpoints(int n)
    {
        for (int c = 10; c < n; c *= 10) yield return c;
        yield return n;
    }

    private string? DoStress(StressStep s, CaseContext ctx)
    {
        var req = new uvmshim_stress
        {
            map_id = ctx.MapId, nthreads = s.Threads, duration_ms = s.DurationMs, seed = 1, max_pages = (uint)s.MaxPages,
        };
        int rc = device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_STRESS, ref req);
        if (ErrorMismatch(s, ctx.Policy, rc) is { } e) return e;
        if (rc != 0) return null;
        ctx.Evidence.Add(new Evidence("stress", $"{req.ops} ops ({req.maps} maps, {req.unmaps} unmaps), {req.errors} errors, max {req.max_nsec} ns"));
        return req.ops == 0 ? "stress ran no operation" : null;
    }

    private static void Check(string op, int errno)
    {
        if (errno != 0) throw new UvmshimException(op, errno);
    }
}
