using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scenarios;

[TestFixture, Category("Unit")]
public class SuiteComparisonTests
{
    private static CaseResult R(string c, bool pass, long entries = 1, double ms = 10) =>
        new("s", c, "default", "k", pass ? Verdict.Passed("ok") : Verdict.Failed("boom"), new CaseMetrics { Entries = entries, TargetMilliseconds = ms });

    [Test]
    public void FindsNewlyFailingPassingAndChangedEntries()
    {
        var cmp = SuiteComparison.Compare(
            [[R("a", true), R("b", false), R("c", true, 5)]],
            [[R("a", false), R("b", true), R("c", true, 7)]]);
        Assert.That(cmp.Regressed, Is.True);
        Assert.That(cmp.Diffs.Select(d => (d.Id, d.Change)), Is.EquivalentTo(new[]
        {
            ("s/a[default]", "newly failing"), ("s/b[default]", "newly passing"), ("s/c[default]", "entries changed"),
        }));
    }

    [Test]
    public void TimeChangesCountOnlyBeyondTheNoise()
    {
        // Baseline repeats spread 40%: a 30% slowdown is noise, a 100% one is not.
        var noisy = SuiteComparison.Compare([[R("a", true, ms: 8)], [R("a", true, ms: 10)], [R("a", true, ms: 12)]],
                                            [[R("a", true, ms: 13)], [R("a", true, ms: 13)], [R("a", true, ms: 13)]]);
        Assert.That(noisy.Diffs, Is.Empty);
        Assert.That(noisy.NoiseFloor, Is.EqualTo(0.4).Within(1e-9));
        var slower = SuiteComparison.Compare([[R("a", true, ms: 8)], [R("a", true, ms: 10)], [R("a", true, ms: 12)]],
                                             [[R("a", true, ms: 20)], [R("a", true, ms: 21)], [R("a", true, ms: 20)]]);
        Assert.That(slower.Diffs.Single().Change, Is.EqualTo("slower"));
        Assert.That(slower.Regressed, Is.False, "slower is reported, not a regression by itself");
    }
}
