using System.Collections.Concurrent;
using System.Diagnostics;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using KernelShim.Harness.WarmStart;

namespace KernelShim.Harness.Scale;

/// <summary>
/// Runs a guest × scenario matrix (× repeats): one fresh VM per cell, as many
/// at once as the <see cref="SlotPlan"/> allows, spread over the places'
/// endpoints.  Every case result is tagged with its guest's label and the
/// endpoint that ran it; a cell whose VM panics, hangs or cannot start still
/// gives every one of its cases a verdict.
/// </summary>
public sealed class MatrixRunner(IReadOnlyList<VmPlace> places, SlotPlan plan)
{
    /// <summary>Only cases whose "scenario/case" id contains this text (null: all).</summary>
    public string? Filter { get; init; }

    public RunDeadlines Deadlines { get; init; } = new() { Wall = TimeSpan.FromMinutes(30) };

    /// <summary>Progress lines, prefixed with the cell and its endpoint.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>
    /// Start cells from a VM state saved at READY (per guest, QEMU command line and runner image),
    /// made by the first cold boot of each; off (the default): every cell boots cold.  Opt-in until
    /// the whole suite has been verified with warm starts on every kernel set.
    /// </summary>
    public bool WarmStarts { get; init; }

    /// <summary>What the cases move over each guest's line (<see cref="LineUse"/>).</summary>
    public LineUse Line { get; init; } = LineUse.Lean;

    /// <summary>Where saved VM states live (null: <see cref="SavedStateStore.Default"/>).</summary>
    public SavedStateStore? StateStore { get; init; }

    /// <summary>Called as each cell ends (from worker threads).</summary>
    public Action<Placement<MatrixJob, MatrixCell>>? OnCell { get; init; }

    /// <summary>The cells of the matrix, long ones first; scenarios with no case for a guest (filter, policies) have none.</summary>
    public IReadOnlyList<MatrixJob> Jobs(IReadOnlyList<IGuestUnderTest> guests, IReadOnlyList<Scenario> scenarios, int repeat = 1) =>
        [.. (from r in Enumerable.Range(0, repeat)
             from g in guests
             from s in scenarios
             let cases = SuiteRunner.Plan([s], g.Policies, Filter).Count()
             where cases > 0
             select (Job: new MatrixJob(g, s, r), Cost: new MatrixJob(g, s, r).EstimatedSeconds(g.Policies.Count)))
            .OrderByDescending(j => j.Cost)
            .Select(j => j.Job)];

    private int _waitedForMachine;

    /// <summary>How many VMs of one core all processes together may run on this machine.</summary>
    public int MachineCores { get; init; } = Environment.ProcessorCount;

    public async Task<MatrixResult> RunAsync(IReadOnlyList<IGuestUnderTest> guests, IReadOnlyList<Scenario> scenarios,
        int repeat = 1, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var scheduler = new SlotScheduler<MatrixJob, MatrixCell>(plan)
        {
            OnDone = OnCell,
            OnRetired = (e, why) => Progress?.Invoke($"endpoint {e.Url} retired: it {why} and no longer answers"),
        };
        Volatile.Write(ref _waitedForMachine, 0);
        var cells = await scheduler.RunAsync(Jobs(guests, scenarios, repeat), RunCellAsync, NotRun, ct).ConfigureAwait(false);
        return new MatrixResult(cells, clock.Elapsed) { WaitedForMachine = Volatile.Read(ref _waitedForMachine) };
    }

    private async Task<JobOutcome<MatrixCell>> RunCellAsync(MatrixJob job, EndpointSlots slots, int slot, CancellationToken ct)
    {
        var place = places.First(p => p.Endpoint == slots.Endpoint);
        // On this machine, other kshim processes may be running VMs too: keep to its cores together.
        using var lease = place.Endpoint.IsOnThisMachine
            ? await MachineSlots.AcquireAsync(MachineCores, line =>
            {
                Interlocked.Increment(ref _waitedForMachine);
                Progress?.Invoke($"{job}: {line}");
            }, ct).ConfigureAwait(false)
            : null;
        var workDir = Directory.CreateTempSubdirectory("kshim-cell-").FullName;
        var tag = $"{job} on {place.Endpoint.Url}";
        var spec = job.Guest.Spec(workDir, place.Accel);
        WarmStartOptions? warm = null;
        if (WarmStarts && job.Guest.WarmKey is { } guestKey)
        {
            // A RAM image mapped copy-on-write needs QEMU to see our files; copy mode loads the whole stream.
            bool ramFile = place.Endpoint.Transfer == TransferMode.Bind;
            warm = new WarmStartOptions(StateStore ?? SavedStateStore.Default(), WarmStartKey.Compute(guestKey, spec, place.Image, ramFile),
                WarmStartKey.Describe(guestKey, spec, place.Image, ramFile), ramFile);
        }
        var run = new GuestRun(place.Backend(), spec, Deadlines)
        {
            Target = job.Guest.Target,
            Progress = line => Progress?.Invoke($"{tag}: {line}"),
            RequireModule = true,
            Warm = warm,
        };
        var done = new ConcurrentQueue<CaseResult>();
        var verdict = await run.RunAsync(async (session, ready, token) =>
        {
            await job.Guest.PrepareAsync(session.Agent, token).ConfigureAwait(false);
            // The suite speaks to the agent synchronously for minutes: give it its own thread, not a pool thread.
            return await Task.Factory.StartNew(() =>
            {
                var device = new AgentDevice(session.Agent, job.Guest.Kind, $"{ready.OsVersion} ({job.Guest.Label})");
                var results = new SuiteRunner(device, job.Guest.Policies, () => new ModelDevice())
                {
                    Filter = Filter,
                    Line = Line,
                    OnCase = r => done.Enqueue(r),
                }.Run([job.Scenario]);
                int failed = results.Count(r => !r.Verdict.IsSuccess);
                return failed == 0 ? Verdict.Passed($"{results.Count} case(s) passed") : Verdict.Failed($"{failed} of {results.Count} case(s) failed");
            }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);

        var cases = Complete(job, [.. done], verdict).Select(r => r with { Kernel = job.Guest.Label, Endpoint = place.Endpoint.Url, Repeat = job.Repeat, Start = verdict.Start?.Word });
        bool endpointFailed = verdict.Kind == VerdictKind.InfrastructureError
            && !(await new DockerEngine(place.Endpoint).ProbeAsync(cancellationToken: ct).ConfigureAwait(false)).Answers;
        return new JobOutcome<MatrixCell>(new MatrixCell(job, verdict, [.. cases], workDir), endpointFailed);
    }

    private MatrixCell NotRun(MatrixJob job, string why)
    {
        var verdict = new Verdict(VerdictKind.InfrastructureError, why) { Target = job.Guest.Target };
        var cases = Complete(job, [], verdict).Select(r => r with { Kernel = job.Guest.Label, Repeat = job.Repeat });
        return new MatrixCell(job, verdict, [.. cases], null);
    }

    /// <summary>
    /// The cases that ran, then one result for each case the VM did not reach:
    /// the one it was in when it ended gets the VM's verdict, the rest say they were not reached.
    /// </summary>
    private IEnumerable<CaseResult> Complete(MatrixJob job, IReadOnlyList<CaseResult> ran, Verdict vm)
    {
        var seen = ran.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        bool first = true;
        foreach (var r in ran) yield return r;
        foreach (var (s, c, policy) in SuiteRunner.Plan([job.Scenario], job.Guest.Policies, Filter))
        {
            var id = new CaseResult(s.Name, c.Name, policy, "", vm, new CaseMetrics()).Id;
            if (seen.Contains(id)) continue;
            var summary = first ? $"the VM ended in this case: {vm.Summary}" : $"not reached: the VM ended earlier ({vm.Kind})";
            var kind = vm.IsSuccess ? VerdictKind.InfrastructureError : vm.Kind;
            // The evidence (a ddb transcript) goes with the case the VM ended in.
            var evidence = first ? vm.Evidence : [];
            first = false;
            yield return new CaseResult(s.Name, c.Name, policy, vm.Target,
                vm with { Kind = kind, Summary = summary, Evidence = evidence }, new CaseMetrics());
        }
    }
}
