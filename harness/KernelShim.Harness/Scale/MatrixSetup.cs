using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Scale;

/// <summary>
/// The places (endpoints made ready for VMs) and the slot plan for a matrix
/// of guests: probes every endpoint's machine, sizes the slots by the
/// largest guest's footprint, and makes sure each endpoint has the runner image.
/// </summary>
public sealed class MatrixSetup : IAsyncDisposable
{
    private MatrixSetup(IReadOnlyList<VmPlace> places, SlotPlan plan, VmFootprint footprint)
    {
        Places = places;
        Plan = plan;
        Footprint = footprint;
    }

    public IReadOnlyList<VmPlace> Places { get; }
    public SlotPlan Plan { get; }
    public VmFootprint Footprint { get; }

    /// <summary>Throws <see cref="RunnerException"/> when an endpoint does not answer or cannot get the image.</summary>
    public static async Task<MatrixSetup> PrepareAsync(IReadOnlyList<IGuestUnderTest> guests, IReadOnlyList<DockerEndpoint> endpoints,
        AccelMode accel, int? maxJobs, Action<string>? progress, CancellationToken ct = default)
    {
        if (guests.Count == 0) throw new ArgumentException("no guest to run", nameof(guests));
        if (endpoints.Count == 0) endpoints = [DockerEndpoint.FromEnvironment()];
        var footprint = guests
            .Select(g => VmFootprint.For(g.Spec(Path.GetTempPath(), VmPlace.ChooseAccel(endpoints[0], accel))))
            .MaxBy(f => f.MemoryBytes * 1024 + f.Cores)!;
        var capacities = await Task.WhenAll(endpoints.Select(e => EngineCapacity.ProbeAsync(e, ct))).ConfigureAwait(false);
        foreach (var c in capacities) progress?.Invoke($"engine {c}");
        var plan = SlotPlanner.Plan(capacities, footprint, maxJobs);
        if (plan.Total == 0)
            throw new RunnerException($"no endpoint can hold a VM of {footprint}: {string.Join("; ", plan.Notes)}");

        var places = new List<VmPlace>();
        try
        {
            foreach (var e in plan.Endpoints.Where(e => e.Slots > 0))
            {
                progress?.Invoke($"preparing {e.Endpoint.Url} (runner image)");
                places.Add(await VmPlace.OpenAsync(e.Endpoint, accel, ct).ConfigureAwait(false));
            }
        }
        catch
        {
            foreach (var p in places) await p.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new MatrixSetup(places, plan, footprint);
    }

    public MatrixRunner Runner(string? filter, Action<string>? progress,
        Action<Placement<MatrixJob, MatrixCell>>? onCell = null, Sessions.RunDeadlines? deadlines = null, bool warmStarts = true,
        Scenarios.LineUse line = Scenarios.LineUse.Lean) =>
        new(Places, Plan)
        {
            Filter = filter,
            Progress = progress,
            OnCell = onCell,
            Deadlines = deadlines ?? new Sessions.RunDeadlines { Wall = TimeSpan.FromMinutes(30) },
            WarmStarts = warmStarts,
            Line = line,
        };

    public async ValueTask DisposeAsync()
    {
        foreach (var p in Places) await p.DisposeAsync().ConfigureAwait(false);
    }
}
