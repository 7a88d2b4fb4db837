using System.Text.Json;
using KernelShim.Harness.Reports;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Validation;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Reports;

[TestFixture, Category("Unit")]
public class ValidationReportTests
{
    private static CaseResult Cycle(bool formed) =>
        new("pr24039", "cycle", "default", "k",
            formed ? Verdict.Passed("reproduced") : new Verdict(VerdictKind.NotReproduced, "did not form"), new CaseMetrics())
        { Intent = CaseIntent.Reproduction, Bug = "PR kern/24039" };

    private static CaseResult Split(bool pass) =>
        new("split", "head", "default", "k", pass ? Verdict.Passed("ok") : Verdict.Failed("split.yaml:30: expected clips 1, got 0"), new CaseMetrics());

    [Test]
    public void AFixReadsAsFixedInEveryFormatAndIsNoFailure()
    {
        var cmp = SuiteComparison.Compare([[Cycle(true), Split(true)]], [[Cycle(false), Split(true)]]);
        Assert.That(ValidationReport.Headline(cmp), Is.EqualTo("FIXED: 1 FIXED, 1 SAME"));
        var ktap = ValidationReport.Ktap(cmp, "t").Split('\n');
        Assert.That(ktap, Has.Some.StartsWith("ok 1 pr24039/cycle[default] # FIXED: REPRODUCED -> NOT REPRODUCED; PR kern/24039 no longer forms"));
        Assert.That(ktap, Does.Contain("ok 2 split/head[default] # SAME: PASSED -> PASSED").And.Contain("# VERDICT FIXED: 1 FIXED, 1 SAME"));
        var junit = ValidationReport.JUnit(cmp, "t");
        Assert.That(junit.Descendants("failure"), Is.Empty);
        Assert.That(junit.Descendants("system-out").First().Value, Does.StartWith("FIXED: REPRODUCED -> NOT REPRODUCED"));
        using var doc = JsonDocument.Parse(ValidationReport.Json(cmp, "b", "p"));
        Assert.That(doc.RootElement.GetProperty("verdict").GetString(), Is.EqualTo("FIXED"));
        Assert.That(doc.RootElement.GetProperty("timing").GetProperty("compared").GetBoolean(), Is.False);
        Assert.That(ValidationReport.Html(cmp, "t"), Does.Contain("class=\"FIXED\">FIXED</td>"));
    }

    [Test]
    public void ARegressionIsAFailureWithBothOutcomes()
    {
        var cmp = SuiteComparison.Compare([[Cycle(false), Split(true)]], [[Cycle(true), Split(false)]]);
        Assert.That(ValidationReport.Headline(cmp), Is.EqualTo("REGRESSION: 2 REGRESSION"));
        var failures = ValidationReport.JUnit(cmp, "t").Descendants("failure").ToList();
        Assert.That(failures, Has.Count.EqualTo(2));
        Assert.That((string)failures[1].Attribute("message")!, Is.EqualTo("PASSED -> FAILED: newly failing: split.yaml:30: expected clips 1, got 0"));
        Assert.That(ValidationReport.Ktap(cmp, "t"), Does.Contain("not ok 1 pr24039/cycle[default] # REGRESSION: NOT REPRODUCED -> REPRODUCED"));
    }
}
