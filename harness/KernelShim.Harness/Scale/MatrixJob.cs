using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Scale;

/// <summary>One cell of a kernel × scenario matrix: one VM boots the guest and runs the scenario's cases.</summary>
public sealed record MatrixJob(IGuestUnderTest Guest, Scenario Scenario, int Repeat)
{
    /// <summary>
    /// A rough cost in seconds, only to start long cells first (a queue that
    /// ends on a long cycle cell leaves the other slots idle): cycle steps wait
    /// for their bound and hold and, on a kernel, about a second to take every
    /// free page (the settle; ~12 s on a kernel without a usable pool_inactive_time);
    /// stress steps run for their duration; the rest is about an op a millisecond.
    /// </summary>
    public double EstimatedSeconds(int policies)
    {
        double seconds = 2; // boot and module load
        foreach (var c in Scenario.Cases)
            foreach (var step in c.Steps)
                seconds += policies * step switch
                {
                    CycleStep cy => (cy.BoundMs + cy.HoldMs) / 1000.0 + 1,
                    StressStep st => st.DurationMs / 1000.0,
                    FragmentStep f => f.Allocations / 1000.0,
                    RandomStep r => r.Ops / 1000.0,
                    _ => 0.01,
                };
        return seconds;
    }

    public override string ToString() => Repeat == 0 ? $"{Guest.Label} x {Scenario.Name}" : $"{Guest.Label} x {Scenario.Name} (repeat {Repeat + 1})";
}

/// <summary>What one cell produced: the VM's verdict and a result for every case it was to run.</summary>
public sealed record MatrixCell(MatrixJob Job, Verdicts.Verdict VmVerdict, IReadOnlyList<CaseResult> Cases, string? WorkDir);
