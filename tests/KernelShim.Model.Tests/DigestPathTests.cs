using System.Runtime.InteropServices;
using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Scenarios;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

/// <summary>
/// A random step on a target with the model beside it compares digests, and
/// fetches results only when they differ.  The "target" here is the model
/// behind a device that calls itself a kernel and counts the bytes it is
/// asked to bring back; one variant maps every request without merging, as a
/// broken kernel would, and must be caught with the first differing op named.
/// </summary>
[TestFixture, Category("Model")]
public class DigestPathTests
{
    private sealed class KernelLike(bool neverMerges) : IUvmshimDevice
    {
        private readonly ModelDevice _model = new();
        public long OutBytes, InBytes;
        public DeviceKind Kind => DeviceKind.Kernel;
        public string Description => "model posing as a kernel";
        public int PreferredBatchOps => 2048;

        public int Ioctl<T>(uint cmd, ref T arg, params DeviceBuffer[] buffers) where T : unmanaged
        {
            if (neverMerges && cmd == UvmshimIoctl.UVMSHIM_IOC_MAP_CREATE)
            {
                var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref arg, 1));
                var create = MemoryMarshal.Read<uvmshim_map_create>(bytes);
                create.policy = (uint)uvmshim_policy.UVMSHIM_POLICY_NOMERGE;
                MemoryMarshal.Write(bytes, in create);
            }
            OutBytes += buffers.Where(b => b.Direction.HasFlag(BufferDirection.Out)).Sum(b => (long)b.Data.Length);
            InBytes += buffers.Where(b => b.Direction.HasFlag(BufferDirection.In)).Sum(b => (long)b.Data.Length);
            return _model.Ioctl(cmd, ref arg, buffers);
        }

        public void Dispose() => _model.Dispose();
    }

    private static (Harness.Scenarios.CaseResult Result, long OutBytes) RunFuzz(bool neverMerges)
    {
        var (result, _, outBytes) = Run("fuzz", "seed-1", neverMerges, LineUse.Lean);
        return (result, outBytes);
    }

    private static (Harness.Scenarios.CaseResult Result, long InBytes, long OutBytes) Run(string file, string caseName, bool neverMerges, LineUse line)
    {
        var scenario = ScenarioLoader.LoadFile(Path.Combine(Harness.RepoPaths.Root, "scenarios", file + ".yaml"));
        using var target = new KernelLike(neverMerges);
        var runner = new ScenarioRunner(target, () => new ModelDevice()) { Line = line };
        var result = runner.Run(scenario, scenario.Cases.Single(c => c.Name == caseName), "default");
        return (result, target.InBytes, target.OutBytes);
    }

    [TestCase("fuzz", "seed-2")]
    [TestCase("fragmentation", "grow-10k-free-half")]
    public void TheFullLineGivesTheSameVerdictAndMetricsForManyTimesTheBytes(string file, string caseName)
    {
        var lean = Run(file, caseName, false, LineUse.Lean);
        var full = Run(file, caseName, false, LineUse.Full);
        Assert.That((lean.Result.Verdict.IsSuccess, full.Result.Verdict.IsSuccess), Is.EqualTo((true, true)), $"{lean.Result.Verdict} / {full.Result.Verdict}");
        var (l, f) = (lean.Result.Metrics, full.Result.Metrics);
        Assert.That((l.Entries, l.PeakEntries, l.Maps, l.Unmaps, l.Clips, l.Allocs), Is.EqualTo((f.Entries, f.PeakEntries, f.Maps, f.Unmaps, f.Clips, f.Allocs)));
        Assert.That(lean.InBytes * 3, Is.LessThan(full.InBytes), $"into the guest: lean {lean.InBytes} B, full {full.InBytes} B");
        Assert.That(lean.OutBytes * 2, Is.LessThan(full.OutBytes), $"out of the guest: lean {lean.OutBytes} B, full {full.OutBytes} B");
    }

    [Test]
    public void TheFullLineCatchesADifferingTargetToo()
    {
        var (result, _, _) = Run("fuzz", "seed-1", neverMerges: true, LineUse.Full);
        Assert.That(result.Verdict.Summary, Does.Match(@"op \d+ \(UVMSHIM_OP_(MAP|UNMAP)"));
    }

    [Test]
    public void EqualDigestsBringNoResultsBack()
    {
        var (result, outBytes) = RunFuzz(neverMerges: false);
        Assert.That(result.Verdict.IsSuccess, Is.True, result.Verdict.ToString());
        Assert.That(result.Verdict.Evidence.Select(e => e.Name), Does.Contain("digest"));
        Assert.That(outBytes, Is.Zero, "3000 ops compared without a result or an entry crossing the line");
    }

    [Test]
    public void ADifferingTargetIsCaughtAndTheFirstDifferenceNamed()
    {
        var (result, outBytes) = RunFuzz(neverMerges: true);
        Assert.That(result.Verdict.IsSuccess, Is.False);
        Assert.That(result.Verdict.Summary, Does.Contain("the target differs from the model (results digest 0x"));
        Assert.That(result.Verdict.Summary, Does.Match(@"run again on a fresh map: op \d+ \(UVMSHIM_OP_(MAP|UNMAP)"));
        Assert.That(outBytes, Is.GreaterThan(3000 * 56), "the rerun brought every result back");
    }
}
