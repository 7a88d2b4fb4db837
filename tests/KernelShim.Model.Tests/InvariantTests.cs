using KernelShim.Bindings;
using KernelShim.Harness.Scenarios;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

/// <summary>Thousands of seeded random op scripts: entries sorted, disjoint, in bounds; sizes and counters consistent.</summary>
[TestFixture, Category("Model")]
public class InvariantTests : ModelFixture
{
    private const int Scripts = 1000;
    private const int OpsPerScript = 100;
    private const ulong MapPages = 256;

    [TestCaseSource(nameof(AllPolicies))]
    public void HoldOverRandomScripts(uvmshim_policy policy)
    {
        for (int seed = 0; seed < Scripts; seed++)
        {
            uint m = NewMap(policy, MapPages);
            var ops = RandomScript.Generate(seed, OpsPerScript, (long)MapPages, 8, Pg);
            var (batch, results) = Client.Batch(m, ops);
            Assert.That(batch.ndone, Is.EqualTo((uint)OpsPerScript));
            Assert.That(results.Count(r => r.error != 0), Is.EqualTo((int)batch.nerrors));
            var broken = MapInvariants.Check(Client.Dump(m), MapPages * Pg, Client.Stats(m));
            Assert.That(broken, Is.Null, $"seed {seed}");
            Client.DestroyMap(m);
        }
    }

    [TestCaseSource(nameof(AllPolicies))]
    public void SameSeedSameResult(uvmshim_policy policy)
    {
        var ops = RandomScript.Generate(42, 2000, (long)MapPages, 16, Pg);
        uint a = NewMap(policy, MapPages), b = NewMap(policy, MapPages);
        var ra = Client.Batch(a, ops).Results;
        var rb = Client.Batch(b, ops).Results;
        Assert.That(ra.Select(r => (r.error, r.outcome, r.addr, r.nentries)), Is.EqualTo(rb.Select(r => (r.error, r.outcome, r.addr, r.nentries))));
    }
}
