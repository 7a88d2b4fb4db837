using KernelShim.Bindings;
using KernelShim.Harness.Devices;

namespace KernelShim.Model.Tests;

/// <summary>A fresh model device and a map per test, with page-unit helpers.</summary>
public abstract class ModelFixture
{
    protected const ulong Pg = 4096;
    protected ModelDevice Device = null!;
    protected UvmshimClient Client = null!;

    [NUnit.Framework.SetUp]
    public void OpenModel()
    {
        Device = new ModelDevice();
        Client = new UvmshimClient(Device);
    }

    [NUnit.Framework.TearDown]
    public void CloseModel() => Device.Dispose();

    protected uint NewMap(uvmshim_policy policy, ulong pages = 4096) => Client.CreateMap(pages * Pg, policy);

    protected uvmshim_map_req MapFixed(uint map, ulong page, ulong pages, uint prot = 3, uint flags = 0) =>
        Client.Map(map, page * Pg, pages * Pg, prot, flags | UvmshimIoctl.UVMSHIM_MAPF_FIXED);

    protected (ulong Start, ulong End)[] Entries(uint map) =>
        Client.Dump(map).Select(e => (e.start / Pg, e.end / Pg)).ToArray();

    public static IEnumerable<uvmshim_policy> AllPolicies =>
    [
        uvmshim_policy.UVMSHIM_POLICY_MERGE_ALLOC, uvmshim_policy.UVMSHIM_POLICY_NOMERGE,
        uvmshim_policy.UVMSHIM_POLICY_MERGE_RESERVE, uvmshim_policy.UVMSHIM_POLICY_MODERN,
        uvmshim_policy.UVMSHIM_POLICY_THORPE,
    ];

    public static IEnumerable<uvmshim_policy> MergingPolicies => AllPolicies.Where(p => p != uvmshim_policy.UVMSHIM_POLICY_NOMERGE);
}
