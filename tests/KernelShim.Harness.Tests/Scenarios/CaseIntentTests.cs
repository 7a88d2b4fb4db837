using KernelShim.Harness;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scenarios;

/// <summary>A case's intent: how it is read, what the loader refuses, and what a reproduction that does not reproduce is called.</summary>
[TestFixture, Category("Unit")]
public class CaseIntentTests
{
    private static string Case(string intent, string verdict) => $$"""
        scenario: t
        description: d
        cases:
          - name: c
        {{intent}}
            steps:
              - cycle: {pages: 16, bound_ms: 100}
                expect: {verdict: {{verdict}}}
        """;

    private static ScenarioFormatException Reject(string yaml) =>
        Assert.Throws<ScenarioFormatException>(() => ScenarioLoader.Parse(yaml, "/x/t.yaml"))!;

    [Test]
    public void ThePr24039CycleReproducesTheBugUnderThePoliciesThatAllocateUnderTheLock()
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(RepoPaths.Root, "scenarios", "pr24039.yaml"));
        var c = s.Cases.Single(x => x.Name == "cycle");
        Assert.That(c.Bug, Is.EqualTo("PR kern/24039"));
        Assert.That(new[] { "merge-alloc", "modern", "default", "nomerge", "merge-reserve" }.Select(c.IntentUnder), Is.EqualTo(new[]
        {
            CaseIntent.Reproduction, CaseIntent.Reproduction, CaseIntent.Reproduction, CaseIntent.Requirement, CaseIntent.Requirement,
        }));
    }

    [Test]
    public void WithoutIntentACaseIsARequirement() =>
        Assert.That(ScenarioLoader.Parse(Case("", "deadlock"), "t.yaml").Cases[0].IntentUnder("modern"), Is.EqualTo(CaseIntent.Requirement));

    [Test]
    public void AReproductionMustNameItsBug() =>
        Assert.That(Reject(Case("    intent: reproduction", "deadlock")).Message,
            Is.EqualTo("t.yaml:5:13: case 'c': intent reproduction needs 'bug:' naming what it reproduces (e.g. PR kern/24039)"));

    [Test]
    public void ABugWithoutAReproductionIsRefused() =>
        Assert.That(Reject(Case("    bug: PR kern/1", "deadlock")).Message, Does.StartWith("t.yaml:5:10: case 'c': 'bug' is for a case"));

    [Test]
    public void AReproductionNeedsACycleStepExpectingTheDeadlockUnderThatPolicy() =>
        Assert.That(Reject(Case("    intent: {merging: reproduction, nomerge: requirement}\n    bug: PR kern/24039", "{modern: deadlock, \"*\": completed}")).Message,
            Does.Contain("intent reproduction under merge-alloc, but no cycle step expects verdict deadlock under merge-alloc"));

    [Test]
    public void AnUnknownIntentIsRefusedWithTheChoices() =>
        Assert.That(Reject(Case("    intent: {merging: repro}\n    bug: x", "deadlock")).Message,
            Is.EqualTo("t.yaml:5:23: intent.merging: 'repro' is not one of requirement, reproduction"));

    [Test]
    public void OnTheModelAReproductionWhoseBugDoesNotFormIsNotReproducedAndOneThatFormsIsReproduced()
    {
        // Under nomerge the cycle cannot form: a case that claims to reproduce it there is NOT REPRODUCED, not FAILED.
        var s = ScenarioLoader.Parse(Case("    intent: reproduction\n    bug: PR kern/24039", "deadlock"), "t.yaml");
        using var model = new ModelDevice();
        var runner = new ScenarioRunner(model);
        var none = runner.Run(s, s.Cases[0], "nomerge");
        Assert.That((none.Verdict.Kind, none.Word), Is.EqualTo((VerdictKind.NotReproduced, "NOT REPRODUCED")));
        Assert.That(none.Verdict.Summary, Does.StartWith("PR kern/24039 did not form: t.yaml:8: expected verdict deadlock, got completed"));
        var formed = runner.Run(s, s.Cases[0], "merge-alloc");
        Assert.That((formed.Verdict.Kind, formed.Word, formed.Reproduced), Is.EqualTo((VerdictKind.Passed, "REPRODUCED", true)));
    }

    [Test]
    public void ARequirementThatDoesNotHoldIsAPlainFailure()
    {
        var s = ScenarioLoader.Parse(Case("", "deadlock"), "t.yaml");
        using var model = new ModelDevice();
        var r = new ScenarioRunner(model).Run(s, s.Cases[0], "nomerge");
        Assert.That((r.Verdict.Kind, r.Word), Is.EqualTo((VerdictKind.Failed, "FAILED")));
    }
}
