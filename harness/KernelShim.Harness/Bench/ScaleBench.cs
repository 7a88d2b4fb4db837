using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Bench;

/// <summary>One matrix run at a given cap on concurrent VMs.</summary>
public sealed record ScalePoint(int Jobs, int Cells, int PeakConcurrency, double WallSeconds, double VmSeconds, int Failed);

/// <summary>
/// What running VMs in parallel buys: the same matrix with one VM at a time
/// and with as many as the plan allows, wall time against the sum of the cells' VM time.
/// </summary>
public static class ScaleBench
{
    public static async Task<IReadOnlyList<ScalePoint>> MeasureAsync(IReadOnlyList<IGuestUnderTest> guests, IReadOnlyList<Scenario> scenarios,
        IReadOnlyList<DockerEndpoint> endpoints, AccelMode accel, Action<string>? progress, CancellationToken ct = default) =>
    [
        await RunAsync(guests, scenarios, endpoints, accel, 1, progress, ct).ConfigureAwait(false),
        await RunAsync(guests, scenarios, endpoints, accel, null, progress, ct).ConfigureAwait(false),
    ];

    private static async Task<ScalePoint> RunAsync(IReadOnlyList<IGuestUnderTest> guests, IReadOnlyList<Scenario> scenarios,
        IReadOnlyList<DockerEndpoint> endpoints, AccelMode accel, int? jobs, Action<string>? progress, CancellationToken ct)
    {
        await using var setup = await MatrixSetup.PrepareAsync(guests, endpoints, accel, jobs, progress, ct).ConfigureAwait(false);
        var m = await setup.Runner(null, null).RunAsync(guests, scenarios, 1, ct).ConfigureAwait(false);
        return new ScalePoint(setup.Plan.Total, m.Cells.Count, m.PeakConcurrency, m.Wall.TotalSeconds,
            m.Cells.Sum(c => c.Duration.TotalSeconds), m.Cases.Count(c => !c.Verdict.IsSuccess));
    }
}
