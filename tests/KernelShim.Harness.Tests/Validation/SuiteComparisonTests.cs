using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Validation;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Validation;

[TestFixture, Category("Unit")]
public class SuiteComparisonTests
{
    private static CaseResult R(string c, bool pass, long entries = 1, double ms = 10) =>
        new("s", c, "default", "k", pass ? Verdict.Passed("ok") : Verdict.Failed("boom"), new CaseMetrics { Entries = entries, TargetMilliseconds = ms });

    /// <summary>A run of the PR 24039 reproduction: the cycle formed (REPRODUCED) or did not (NOT REPRODUCED).</summary>
    private static CaseResult Cycle(bool formed, long allocsLocked = 1) =>
        new("pr24039", "cycle", "default", "k",
            formed ? Verdict.Passed("reproduced") : new Verdict(VerdictKind.NotReproduced, "PR kern/24039 did not form"),
            new CaseMetrics { Deadlock = formed, AllocsLocked = allocsLocked })
        { Intent = CaseIntent.Reproduction, Bug = "PR kern/24039" };

    private static CaseResult Broken(string c, VerdictKind kind) =>
        new("s", c, "default", "k", new Verdict(kind, "the VM ended in this case"), new CaseMetrics());

    [Test]
    public void ABugThatNoLongerFormsIsFixedAndNotARegression()
    {
        var cmp = SuiteComparison.Compare([[Cycle(true), R("a", true)]], [[Cycle(false, allocsLocked: 0), R("a", true)]]);
        var cycle = cmp.Cases.Single(c => c.Id == "pr24039/cycle[default]");
        Assert.That((cycle.Verdict, cycle.Baseline, cycle.Patched), Is.EqualTo((PatchVerdict.Fixed, "REPRODUCED", "NOT REPRODUCED")));
        Assert.That(cycle.Detail, Does.Contain("PR kern/24039 no longer forms"));
        Assert.That(cycle.Detail, Does.Contain("allocations under the map lock (inferred").And.Contain("1 -> 0"), "the values moved are given with the verdict");
        Assert.That(cmp.Cases.Single(c => c.Id == "s/a[default]").Verdict, Is.EqualTo(PatchVerdict.Same));
        Assert.That((cmp.Overall, cmp.Regressed), Is.EqualTo((PatchVerdict.Fixed, false)));
    }

    [Test]
    public void ABugThatAppearsIsARegression()
    {
        var cmp = SuiteComparison.Compare([[Cycle(false)]], [[Cycle(true)]]);
        Assert.That(cmp.Cases.Single().Verdict, Is.EqualTo(PatchVerdict.Regression));
        Assert.That(cmp.Cases.Single().Detail, Does.Contain("PR kern/24039 appears"));
        Assert.That(cmp.Regressed, Is.True);
    }

    [Test]
    public void ABugStillFormingIsTheSame()
    {
        var cmp = SuiteComparison.Compare([[Cycle(true)]], [[Cycle(true)]]);
        Assert.That((cmp.Cases.Single().Verdict, cmp.Cases.Single().Patched, cmp.Overall), Is.EqualTo((PatchVerdict.Same, "REPRODUCED", PatchVerdict.Same)));
    }

    [Test]
    public void ABugFormingInSomeRunsOnlyIsChangedNotFixed()
    {
        var cmp = SuiteComparison.Compare([[Cycle(true)], [Cycle(true)], [Cycle(true)]], [[Cycle(false)], [Cycle(true)], [Cycle(false)]]);
        Assert.That(cmp.Cases.Single().Verdict, Is.EqualTo(PatchVerdict.Changed));
        Assert.That(cmp.Cases.Single().Patched, Is.EqualTo("NOT REPRODUCED x2, REPRODUCED x1"));
    }

    [Test]
    public void RequirementsNewlyFailingRegressNewlyPassingAreFixedAndCountsChange()
    {
        var cmp = SuiteComparison.Compare(
            [[R("a", true), R("b", false), R("c", true, 5)]],
            [[R("a", false), R("b", true), R("c", true, 7)]]);
        Assert.That(cmp.Cases.Select(c => (c.Id, c.Verdict)), Is.EquivalentTo(new[]
        {
            ("s/a[default]", PatchVerdict.Regression), ("s/b[default]", PatchVerdict.Fixed), ("s/c[default]", PatchVerdict.Changed),
        }));
        Assert.That(cmp.Cases.Single(c => c.Id == "s/c[default]").Detail, Is.EqualTo("entries 5 -> 7"));
        Assert.That(cmp.Overall, Is.EqualTo(PatchVerdict.Regression));
    }

    [TestCase(VerdictKind.Panic)]
    [TestCase(VerdictKind.Deadlock)]
    [TestCase(VerdictKind.Timeout)]
    public void APanicOrHangThatAppearsIsARegressionEvenInAReproduction(VerdictKind kind)
    {
        var hung = Cycle(false) with { Verdict = new Verdict(kind, "the VM ended in this case") };
        var cmp = SuiteComparison.Compare([[Cycle(true), R("a", true)]], [[hung, Broken("a", kind)]]);
        Assert.That(cmp.Cases.Select(c => c.Verdict), Has.All.EqualTo(PatchVerdict.Regression));
        Assert.That(cmp.Cases[0].Detail, Does.StartWith($"{Verdict.Word(kind)} appears"));
    }

    [Test]
    public void WithFewerThanThreeRepeatsNoTimingClaimIsMade()
    {
        // Ten times slower, one run each: no spread, so no claim.
        var cmp = SuiteComparison.Compare([[R("a", true, ms: 1)]], [[R("a", true, ms: 10)]]);
        Assert.That((cmp.TimingCompared, cmp.Cases.Single().Verdict), Is.EqualTo((false, PatchVerdict.Same)));
        Assert.That(cmp.TimingNote, Does.Contain("no timing claims").And.Contain("--repeat 3"));
        var two = SuiteComparison.Compare([[R("a", true, ms: 1)], [R("a", true, ms: 1)]], [[R("a", true, ms: 10)], [R("a", true, ms: 10)]]);
        Assert.That((two.TimingCompared, two.Cases.Single().Verdict), Is.EqualTo((false, PatchVerdict.Same)));
    }

    [Test]
    public void TimeChangesCountOnlyBeyondTheCasesNoise()
    {
        // Baseline repeats spread 40%: a 30% slowdown is noise, a 100% one is not.
        var noisy = SuiteComparison.Compare([[R("a", true, ms: 8)], [R("a", true, ms: 10)], [R("a", true, ms: 12)]],
                                            [[R("a", true, ms: 13)], [R("a", true, ms: 13)], [R("a", true, ms: 13)]]);
        Assert.That(noisy.Cases.Single().Verdict, Is.EqualTo(PatchVerdict.Same));
        Assert.That(noisy.NoiseFloor, Is.EqualTo(0.4).Within(1e-9));
        Assert.That(noisy.TimingCompared, Is.True);
        var slower = SuiteComparison.Compare([[R("a", true, ms: 8)], [R("a", true, ms: 10)], [R("a", true, ms: 12)]],
                                             [[R("a", true, ms: 20)], [R("a", true, ms: 21)], [R("a", true, ms: 20)]]);
        Assert.That(slower.Cases.Single().Verdict, Is.EqualTo(PatchVerdict.Changed));
        Assert.That(slower.Cases.Single().Detail, Does.Contain("10 ms -> 20 ms").And.Contain("noise 40%"));
        Assert.That(slower.Regressed, Is.False, "slower is reported, not a regression by itself");
    }
}
