using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Scale;

/// <summary>How many VMs may run at once on one endpoint, and why that many.</summary>
public sealed record EndpointSlots(DockerEndpoint Endpoint, string Host, int Slots, string Reason)
{
    public override string ToString() => $"{Endpoint.Url}: {Slots} VM(s) at once ({Reason})";
}

/// <summary>The slots of every endpoint, with what the planner noticed on the way.</summary>
public sealed record SlotPlan(IReadOnlyList<EndpointSlots> Endpoints, IReadOnlyList<string> Notes)
{
    public int Total => Endpoints.Sum(e => e.Slots);
}

/// <summary>
/// Bounds the number of concurrent VMs by cores and memory.  Engines on the
/// same machine (same name in GET /info) share that machine's budget; one
/// engine reached under two URLs (same engine id) counts once.  <c>--jobs</c>
/// can only lower the total, never raise it above what the machines hold.
/// </summary>
public static class SlotPlanner
{
    /// <summary>Memory left to the host itself: a tenth of it, at least 1 GiB.</summary>
    public static long HostReserve(long memoryBytes) => Math.Max(1L << 30, memoryBytes / 10);

    public static SlotPlan Plan(IReadOnlyList<EngineCapacity> engines, VmFootprint vm, int? maxJobs = null)
    {
        if (engines.Count == 0) throw new ArgumentException("no Docker endpoint to run on", nameof(engines));
        if (maxJobs is < 1) throw new ArgumentOutOfRangeException(nameof(maxJobs), maxJobs, "--jobs must be at least 1");
        var notes = new List<string>();
        var unique = new List<EngineCapacity>();
        foreach (var e in engines)
        {
            var same = unique.FirstOrDefault(u => e.EngineId.Length > 0 && u.EngineId == e.EngineId);
            if (same is not null) notes.Add($"{e.Endpoint.Url} is the same engine as {same.Endpoint.Url} (id {e.EngineId}): used once");
            else unique.Add(e);
        }

        var slots = new Dictionary<EngineCapacity, (int Slots, string Reason)>();
        foreach (var host in unique.GroupBy(e => e.Host.Length > 0 ? e.Host : e.EngineId + e.Endpoint.Url))
        {
            var members = host.ToList();
            int cores = members.Max(e => e.Cpus);
            long memory = members.Max(e => e.MemoryBytes);
            long byMemory = Math.Max(0, (memory - HostReserve(memory)) / vm.MemoryBytes);
            long byCores = cores / vm.Cores;
            int hostSlots = (int)Math.Min(byCores, byMemory);
            string bound = byCores <= byMemory
                ? $"bounded by cores: {cores} core(s), {vm.Cores} per VM; memory would allow {byMemory}"
                : $"bounded by memory: {memory >> 20} MiB less {HostReserve(memory) >> 20} MiB for the host, {vm.MemoryBytes >> 20} MiB per VM; cores would allow {byCores}";
            if (hostSlots == 0) notes.Add($"host {host.Key} cannot hold one VM of {vm}: {bound}");
            if (members.Count > 1)
                notes.Add($"{string.Join(" and ", members.Select(m => m.Endpoint.Url))} run on one machine ({host.Key}): they share its {hostSlots} slot(s)");
            for (int i = 0; i < members.Count; i++)
            {
                int share = hostSlots / members.Count + (i < hostSlots % members.Count ? 1 : 0);
                slots[members[i]] = (share, members.Count > 1 ? $"{share} of {hostSlots} on {host.Key}, {bound}" : bound);
            }
        }

        int capacity = slots.Values.Sum(s => s.Slots);
        if (maxJobs is { } cap && cap < capacity)
        {
            // Take one slot at a time from each endpoint in turn, so the cap spreads the load.
            var kept = unique.ToDictionary(e => e, _ => 0);
            for (int taken = 0; taken < cap;)
                foreach (var e in unique)
                    if (taken < cap && kept[e] < slots[e].Slots) { kept[e]++; taken++; }
            foreach (var e in unique) slots[e] = (kept[e], $"--jobs {cap}; {slots[e].Reason}");
        }
        else if (maxJobs is { } over && over > capacity)
        {
            notes.Add($"--jobs {over} asks for more VMs than the machines hold: {capacity}");
        }
        return new SlotPlan([.. unique.Select(e => new EndpointSlots(e.Endpoint, e.Host, slots[e].Slots, slots[e].Reason))], notes);
    }
}
