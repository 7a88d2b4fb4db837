using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Bench;

/// <summary>One matrix run at a given cap on concurrent VMs; <see cref="Failures"/> says which cases did not pass and why.</summary>
public sealed record ScalePoint(int Jobs, int Cells, int PeakConcurrency, double WallSeconds, double VmSeconds, int Failed)
{
    public IReadOnlyList<string> Failures { get; init; } = [];
}

/// <summary>
/// What running VMs in parallel buys: the same matrix with one VM at a time
/// and with as many as the plan allows, wall time against the sum of the cells' VM time.
/// </summary>
public static class ScaleBench
{
    public static async Task<IReadOnlyList<ScalePoint>> MeasureAsync(IReadOnlyList<IGuestUnderTest> guests, IReadOnlyList<Scenario> scenarios,
        IReadOnlyList<DockerEndpoint> endpoints, AccelMode accel, Action<string>? progress, CancellationToken ct = default,
        Action<Placement<MatrixJob, MatrixCell>>? onCell = null) =>
    [
        await RunAsync(guests, scenarios, endpoints, accel, 1, progress, onCell, ct).ConfigureAwait(false),
        await RunAsync(guests, scenarios, endpoints, accel, null, progress, onCell, ct).ConfigureAwait(false),
    ];

    private static async Task<ScalePoint> RunAsync(IReadOnlyList<IGuestUnderTest> guests, IReadOnlyList<Scenario> scenarios,
        IReadOnlyList<DockerEndpoint> endpoints, AccelMode accel, int? jobs, Action<string>? progress,
        Action<Placement<MatrixJob, MatrixCell>>? onCell, CancellationToken ct)
    {
        await using var setup = await MatrixSetup.PrepareAsync(guests, endpoints, accel, jobs, progress, ct).ConfigureAwait(false);
        var m = await setup.Runner(null, progress, onCell).RunAsync(guests, scenarios, 1, ct).ConfigureAwait(false);
        var failed = m.Cases.Where(c => !c.Verdict.IsSuccess).ToList();
        return new ScalePoint(setup.Plan.Total, m.Cells.Count, m.PeakConcurrency, m.Wall.TotalSeconds,
            m.Cells.Sum(c => c.Duration.TotalSeconds), failed.Count)
        {
            Failures = [.. failed.Select(c => $"{c.Kernel}:{c.Id} on {c.Endpoint ?? "no endpoint"}: {c.Verdict.Kind.ToString().ToUpperInvariant()}: {c.Verdict.Summary}")],
        };
    }
}
