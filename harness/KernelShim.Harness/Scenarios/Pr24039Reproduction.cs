using KernelShim.Bindings;
using KernelShim.Harness.Ddb;
using KernelShim.Harness.Devices;

namespace KernelShim.Harness.Scenarios;

/// <summary>What `kshim reproduce pr24039` found.</summary>
public sealed record ReproductionResult(string MergingPolicy, CycleEvidence Merging, CycleEvidence NoMerge, DdbTranscript? Stacks)
{
    /// <summary>The cycle formed with merging and did not without it.</summary>
    public bool Reproduced => Merging.Deadlock && !NoMerge.Deadlock;
}

/// <summary>
/// The PR 24039 cycle on demand: once with merging (it must deadlock; the
/// module keeps it standing hold_ms, then its watchdog breaks it), with an
/// optional ddb capture in that window, then once under no-merge (it must complete).
/// </summary>
public static class Pr24039Reproduction
{
    /// <param name="standing">Completes when the target says the cycle stands (the module's watchdog line on the console).</param>
    /// <param name="captureWhileStanding">Evidence to take then (ddb stacks), before hold_ms runs out.</param>
    public static async Task<ReproductionResult> RunAsync(IUvmshimDevice device, uvmshim_policy merging,
        Task? standing, Func<CancellationToken, Task<DdbTranscript>>? captureWhileStanding, uint boundMs, uint holdMs,
        CancellationToken ct = default)
    {
        var client = new UvmshimClient(device);
        bool modelled = CounterSource.For(0, client.Version()).Modelled;
        // With a hold, the module keeps the cycle standing hold_ms after it detects it
        // (RECOVER would break it at once, and a capture would land in the recovery).
        var cycle = Task.Run(() => client.Cycle(merging, boundMs, holdMs, npages: 16, recover: holdMs == 0), ct);
        DdbTranscript? stacks = null;
        if (standing is not null && captureWhileStanding is not null)
        {
            // Setting the cycle up (taking memory away) can take seconds under TCG:
            // capture when the watchdog says it stands, not on a timer.
            if (await Task.WhenAny(cycle, standing).ConfigureAwait(false) == standing && standing.IsCompletedSuccessfully)
                stacks = await captureWhileStanding(ct).ConfigureAwait(false);
        }
        var withMerge = CycleEvidence.From(await cycle.ConfigureAwait(false), modelled);
        var without = CycleEvidence.From(client.Cycle(uvmshim_policy.UVMSHIM_POLICY_NOMERGE, boundMs, 0, npages: 16), modelled);
        return new ReproductionResult(PolicyNames.Name(merging), withMerge, without, stacks);
    }
}
