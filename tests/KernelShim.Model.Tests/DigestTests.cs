using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Scenarios;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

/// <summary>
/// The batch and dump digests (native/core/kshim_digest.h), and the BRIEF and
/// REPEAT scripts, as the model computes them with the kernel's code.  The
/// digests are checked against FNV-1a computed here, from the header's words,
/// over the full results and entries.
/// </summary>
[TestFixture, Category("Model")]
public class DigestTests : ModelFixture
{
    private const ulong FnvBasis = 0xcbf29ce484222325UL, FnvPrime = 0x100000001b3UL;

    private static ulong Mix(ulong h, ulong v)
    {
        for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * FnvPrime;
        return h;
    }

    private static ulong DigestOf(uvmshim_op[] ops, uvmshim_op_result[] results)
    {
        ulong h = FnvBasis;
        for (int i = 0; i < ops.Length; i++)
        {
            var r = results[i];
            h = Mix(Mix(Mix(Mix(h, ops[i].kind), (ulong)(long)r.error), r.outcome), r.addr);
            if (ops[i].kind is (uint)uvmshim_op_kind.UVMSHIM_OP_MAP or (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP && r.error == 0)
                h = Mix(Mix(Mix(Mix(h, r.allocs), r.frees), r.allocs_locked), r.clips);
        }
        return h;
    }

    private static ulong DigestOf(uvmshim_entry[] entries) =>
        entries.Aggregate(FnvBasis, (h, e) => Mix(Mix(Mix(h, e.start), e.end), e.prot));

    private static uvmshim_op[] Script(int seed = 5) => RandomScript.Generate(seed, 2000, 1024, 16, Pg);

    /// <summary>The same device with smaller pieces: the client chains the digests.</summary>
    private sealed class Pieces(IUvmshimDevice inner, int preferred) : IUvmshimDevice
    {
        public DeviceKind Kind => inner.Kind;
        public string Description => inner.Description;
        public int PreferredBatchOps => preferred;
        public int Ioctl<T>(uint cmd, ref T arg, params DeviceBuffer[] buffers) where T : unmanaged => inner.Ioctl(cmd, ref arg, buffers);
        public void Dispose() { }
    }

    [TestCaseSource(typeof(ModelFixture), nameof(AllPolicies))]
    public void BatchDigestIsTheDigestOfTheFullResults(uvmshim_policy policy)
    {
        var ops = Script();
        uint full = NewMap(policy, 1024), bare = NewMap(policy, 1024);
        var (fb, results) = Client.Batch(full, ops);
        var db = Client.BatchDigest(bare, ops);
        Assert.That(results.Count(r => r.error == 0 && r.allocs != 0), Is.GreaterThan(100), "the script allocates entries");
        Assert.That(fb.digest, Is.EqualTo(DigestOf(ops, results)));
        Assert.That(db.digest, Is.EqualTo(fb.digest), "no results copied out, same digest");
        Assert.That((db.ndone, db.nerrors), Is.EqualTo((fb.ndone, fb.nerrors)));
        Assert.That(Client.DumpDigest(bare), Is.EqualTo(((uint)Client.Dump(full).Length, DigestOf(Client.Dump(full)))));
    }

    [Test]
    public void ADigestGoesOnAcrossPieces()
    {
        var ops = Script();
        var whole = Client.BatchDigest(NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN, 1024), ops);
        var split = new UvmshimClient(new Pieces(Device, 7));
        var pieces = split.BatchDigest(split.CreateMap(1024 * Pg, uvmshim_policy.UVMSHIM_POLICY_MODERN), ops);
        Assert.That(pieces.digest, Is.EqualTo(whole.digest));
    }

    [Test]
    public void ADigestChangesWithOneOpOrThePolicy()
    {
        var ops = Script();
        var baseline = Client.BatchDigest(NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN, 1024), ops).digest;
        var again = Client.BatchDigest(NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN, 1024), ops).digest;
        Assert.That(again, Is.EqualTo(baseline), "timings are not in the digest");
        int i = Array.FindIndex(ops, o => o.kind == (uint)uvmshim_op_kind.UVMSHIM_OP_MAP && (o.flags & UvmshimIoctl.UVMSHIM_MAPF_FIXED) != 0);
        var moved = (uvmshim_op[])ops.Clone();
        moved[i].addr += Pg;
        Assert.That(Client.BatchDigest(NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN, 1024), moved).digest, Is.Not.EqualTo(baseline));
        Assert.That(Client.BatchDigest(NewMap(uvmshim_policy.UVMSHIM_POLICY_NOMERGE, 1024), ops).digest, Is.Not.EqualTo(baseline));
    }

    [Test]
    public void ADumpDigestOnlyWhenAskedAndItFollowsTheEntries()
    {
        uint map = NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN);
        MapFixed(map, 0, 8);
        var plain = new uvmshim_dump { map_id = map };
        Assert.That(Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_DUMP, ref plain), Is.Zero);
        Assert.That((plain.nentries, plain.digest), Is.EqualTo((1u, 0UL)));
        var one = Client.DumpDigest(map);
        Client.Unmap(map, 2 * Pg, 3 * Pg);
        var two = Client.DumpDigest(map);
        Assert.That(one, Is.EqualTo((1u, DigestOf([new uvmshim_entry { start = 0, end = 8 * Pg, prot = 3 }]))));
        Assert.That(two.Entries, Is.EqualTo(2u));
        Assert.That(two.Digest, Is.EqualTo(DigestOf(Client.Dump(map))).And.Not.EqualTo(one.Digest));
    }

    [TestCaseSource(typeof(ModelFixture), nameof(AllPolicies))]
    public void RepeatAndBriefAreTheExplicitScriptInShort(uvmshim_policy policy)
    {
        var op = new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, size = 2 * Pg, prot = 3 };
        var split = new UvmshimClient(new Pieces(Device, 64));
        var (rb, brief) = split.RepeatBrief(split.CreateMap(1024 * Pg, policy), op, 600);
        var (fb, full) = Client.Batch(NewMap(policy, 1024), Enumerable.Repeat(op, 600).ToArray());
        Assert.That(brief.Select(b => (b.addr, b.error, b.nentries)), Is.EqualTo(full.Select(r => (r.addr, r.error, r.nentries))));
        Assert.That(full.Count(r => r.error == UvmshimIoctl.UVMSHIM_ENOMEM), Is.EqualTo(600 - 512), "the map fills: errors come through brief too");
        Assert.That((rb.ndone, rb.nerrors, rb.digest), Is.EqualTo((fb.ndone, fb.nerrors, fb.digest)));
    }

    [TestCaseSource(typeof(ModelFixture), nameof(AllPolicies))]
    public void AGeneratedScriptIsTheHostsScript(uvmshim_policy policy)
    {
        var ops = RandomScript.Generate(77, 3000, 1024, 16, Pg);
        Assert.That(ops.Select(o => o.kind).Distinct().Order(), Is.EqualTo(new uint[] { 1, 2, 3 }), "maps, unmaps and lookups");
        Assert.That(ops.Count(o => (o.flags & UvmshimIoctl.UVMSHIM_MAPF_FIXED) != 0), Is.InRange(300, 600), "about a third of the maps fixed");
        var (fb, full) = Client.Batch(NewMap(policy, 1024), ops);
        var split = new UvmshimClient(new Pieces(Device, 100));
        var made = new uvmshim_op_result[ops.Length];
        var gb = split.BatchGenerated(split.CreateMap(1024 * Pg, policy), 77, ops.Length, 16, made);
        var bare = Client.BatchGenerated(NewMap(policy, 1024), 77, ops.Length, 16);
        Assert.That(made.Select(r => (r.error, r.outcome, r.addr, r.nentries)), Is.EqualTo(full.Select(r => (r.error, r.outcome, r.addr, r.nentries))));
        Assert.That((gb.digest, bare.digest), Is.EqualTo((fb.digest, fb.digest)));
        Assert.That(Client.BatchGenerated(NewMap(policy, 1024), 78, ops.Length, 16).digest, Is.Not.EqualTo(fb.digest), "another seed, another script");
    }

    [Test]
    public void RepeatAtRunsTheOpAtEachAddress()
    {
        uint explicitMap = NewMap(uvmshim_policy.UVMSHIM_POLICY_NOMERGE, 1024), atMap = NewMap(uvmshim_policy.UVMSHIM_POLICY_NOMERGE, 1024);
        var one = new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, size = Pg, prot = 3 };
        var placed = Client.RepeatBrief(explicitMap, one, 300).Results.Select(r => r.addr).ToArray();
        Client.RepeatBrief(atMap, one, 300);
        var frees = placed.Where((_, i) => i % 3 != 1).Append(2000 * Pg).ToArray();
        var unmap = new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_UNMAP, size = Pg };
        var (eb, er) = Client.Batch(explicitMap, frees.Select(a => unmap with { addr = a }).ToArray());
        var split = new UvmshimClient(new Pieces(Device, 7));
        var ar = new uvmshim_op_brief[frees.Length];
        var ab = split.RepeatAt(atMap, unmap, frees, ar);
        Assert.That(ar.Select(b => (b.addr, b.error, b.nentries)), Is.EqualTo(er.Select(r => (r.addr, r.error, r.nentries))));
        Assert.That(ar[^1].error, Is.EqualTo(UvmshimIoctl.UVMSHIM_EINVAL), "an address beyond the map is refused, op by op");
        Assert.That((ab.ndone, ab.nerrors, ab.digest), Is.EqualTo((eb.ndone, eb.nerrors, eb.digest)));
        Assert.That(Entries(atMap), Is.EqualTo(Entries(explicitMap)).And.Length.EqualTo(100));
        var lookups = Client.RepeatAt(atMap, new uvmshim_op { kind = (uint)uvmshim_op_kind.UVMSHIM_OP_LOOKUP }, placed);
        Assert.That((lookups.ndone, lookups.nerrors), Is.EqualTo((300u, 0u)));
    }

    [Test]
    public void AtNeedsRepeat()
    {
        uint map = NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN);
        var b = new uvmshim_batch { map_id = map, nops = 1, flags = UvmshimIoctl.UVMSHIM_BATCHF_AT };
        var one = DeviceBuffer.Of<uvmshim_batch, uvmshim_op>(nameof(uvmshim_batch.ops), BufferDirection.In, new[] { new uvmshim_op() });
        Assert.That(Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_BATCH, ref b, one), Is.EqualTo(UvmshimIoctl.UVMSHIM_EINVAL));
    }

    [Test]
    public void RepeatChecksItsOneOp()
    {
        uint map = NewMap(uvmshim_policy.UVMSHIM_POLICY_MODERN);
        var b = new uvmshim_batch { map_id = map, nops = 5, flags = UvmshimIoctl.UVMSHIM_BATCHF_REPEAT };
        var bad = DeviceBuffer.Of<uvmshim_batch, uvmshim_op>(nameof(uvmshim_batch.ops), BufferDirection.In, new[] { new uvmshim_op { kind = 99 } });
        Assert.That(Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_BATCH, ref b, bad), Is.EqualTo(UvmshimIoctl.UVMSHIM_EINVAL));
        Assert.That(b.ndone, Is.Zero);
        Assert.That(Entries(map), Is.Empty);
    }
}
