using System.Text.Json;
using KernelShim.Harness.Reports;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Reports;

[TestFixture, Category("Unit")]
public class ReportTests
{
    private static readonly IReadOnlyList<CaseResult> Results =
    [
        new("split", "yamt", "nomerge", "model", Verdict.Passed("3 step(s)"), new CaseMetrics { Entries = 2, Clips = 2, EntriesOverTime = [1, 2, 2] }),
        new("merge", "increasing", "modern", "model", Verdict.Failed("merge.yaml:12: expected 1 entries, got 2 (policy modern)"),
            new CaseMetrics { Latency = [new LatencyPoint(10, 1, 40, 20), new LatencyPoint(100, 1, 41, 22)] }),
    ];

    [Test]
    public void JUnitCountsFailuresPerSuite()
    {
        var x = JUnitReport.Build(Results, "model");
        var merge = x.Root!.Elements("testsuite").Single(s => (string)s.Attribute("name")! == "merge");
        Assert.That((int)merge.Attribute("failures")!, Is.EqualTo(1));
        Assert.That((string)merge.Element("testcase")!.Element("failure")!.Attribute("message")!, Does.Contain("merge.yaml:12"));
    }

    [Test]
    public void KtapNumbersEveryCase() =>
        Assert.That(KtapReport.Build(Results, "model").Split('\n'), Does.Contain("ok 1 split/yamt[nomerge]").And.Contain(
            "# merge/increasing[modern]: FAILED: merge.yaml:12: expected 1 entries, got 2 (policy modern)").And.Contain(
            "not ok 2 merge/increasing[modern]"));

    [Test]
    public void HtmlSaysWhenWhichCommitAndNamesIdenticalLinesTogether()
    {
        var same = new CaseMetrics { EntriesOverTime = [1, 1, 2] };
        var html = HtmlReport.Build([
            new("fragmentation", "f", "merge-alloc", "model", Verdict.Passed("ok"), same),
            new("fragmentation", "f", "modern", "model", Verdict.Passed("ok"), same),
            new("fragmentation", "f", "nomerge", "model", Verdict.Passed("ok"), new CaseMetrics { EntriesOverTime = [1, 2, 3] }),
        ], "model", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "commit abc1234");
        Assert.That(html, Does.Contain("run ended 2026-01-02 03:04:05 UTC; KernelShim commit abc1234"));
        Assert.That(html, Does.Contain("merge-alloc = modern (identical)"));
        Assert.That(html, Does.Contain("id=\"filter\""));
    }

    [Test]
    public void KtapKeepsReasonsOffTheResultLineAndEscapesHash()
    {
        var lines = KtapReport.Build([new("issue#14", "a\\b", "modern", "model", Verdict.Failed("why # not"), new CaseMetrics())], "model").Split('\n');
        var result = lines.Single(l => l.StartsWith("not ok", StringComparison.Ordinal));
        Assert.That(result, Is.EqualTo(@"not ok 1 issue\#14/a\\b[modern]"), "no unescaped # (a directive) on the result line");
        Assert.That(lines, Does.Contain(@"# issue\#14/a\\b[modern]: FAILED: why # not"));
    }

    [Test]
    public void JsonCarriesVerdictsAndMetrics()
    {
        using var doc = JsonDocument.Parse(JsonReport.Build(Results, "model"));
        Assert.That(doc.RootElement.GetProperty("failed").GetInt32(), Is.EqualTo(1));
        Assert.That(doc.RootElement.GetProperty("cases")[0].GetProperty("metrics").GetProperty("Clips").GetInt64(), Is.EqualTo(2));
        Assert.That(doc.RootElement.GetProperty("cases")[1].GetProperty("verdict").GetString(), Is.EqualTo("Failed"));
    }

    [Test]
    public void HtmlHasBothChartsAndEscapesText()
    {
        var html = HtmlReport.Build(Results, "model <test>");
        Assert.That(html, Does.Contain("model &lt;test&gt;"));
        Assert.That(html.Split("<svg").Length - 1, Is.EqualTo(2), "entries-over-time and latency charts");
        Assert.That(html, Does.Contain("1 passed, 1 failed"));
    }

    private static readonly IReadOnlyList<CaseResult> Matrix =
    [
        Results[0] with { Kernel = "kernel/netbsd", Endpoint = "unix:///var/run/docker.sock" },
        Results[0] with { Kernel = "kernel-nomerge/netbsd", Endpoint = "tcp://127.0.0.1:23752", Repeat = 1 },
    ];

    [Test]
    public void MatrixResultsSayWhichKernelAndEndpointInEveryFormat()
    {
        var suites = JUnitReport.Build(Matrix, "m").Root!.Elements("testsuite").ToList();
        Assert.That(suites.Select(s => (string)s.Attribute("name")!), Is.EqualTo(new[] { "kernel/netbsd/split", "kernel-nomerge/netbsd/split (repeat 2)" }));
        Assert.That(suites[1].Element("properties")!.Elements("property").Select(p => $"{p.Attribute("name")!.Value}={p.Attribute("value")!.Value}"),
            Does.Contain("endpoint=tcp://127.0.0.1:23752").And.Contain("kernel=kernel-nomerge/netbsd"));

        using var doc = JsonDocument.Parse(JsonReport.Build(Matrix, "m"));
        Assert.That(doc.RootElement.GetProperty("cases")[1].GetProperty("endpoint").GetString(), Is.EqualTo("tcp://127.0.0.1:23752"));
        Assert.That(doc.RootElement.GetProperty("cases")[1].GetProperty("kernel").GetString(), Is.EqualTo("kernel-nomerge/netbsd"));

        Assert.That(KtapReport.Build(Matrix, "m").Split('\n'),
            Does.Contain("# kernel kernel-nomerge/netbsd on tcp://127.0.0.1:23752").And.Contain("ok 2 kernel-nomerge/netbsd:split/yamt[nomerge]"));

        var html = HtmlReport.Build(Matrix, "m");
        Assert.That(html, Does.Contain("<th>kernel</th><th>endpoint</th>").And.Contain("<td>tcp://127.0.0.1:23752</td>"));
    }

    private static readonly IReadOnlyList<CaseResult> Reproductions =
    [
        new("pr24039", "cycle", "default", "k", Verdict.Passed("reproduced PR kern/24039: 1 step(s)"), new CaseMetrics { Deadlock = true })
            { Intent = CaseIntent.Reproduction, Bug = "PR kern/24039", Kernel = "baseline" },
        new("pr24039", "cycle", "default", "k", new Verdict(VerdictKind.NotReproduced, "PR kern/24039 did not form: pr24039.yaml:14: expected verdict deadlock, got completed"),
            new CaseMetrics { Deadlock = false }) { Intent = CaseIntent.Reproduction, Bug = "PR kern/24039", Kernel = "patched" },
    ];

    [Test]
    public void EveryFormatSaysReproducedAndNotReproduced()
    {
        // The words on diagnostic lines before each result: after '#' on the result line KTAP reads a directive.
        Assert.That(KtapReport.Build(Reproductions, "k").Split('\n'), Does.Contain("# baseline:pr24039/cycle[default]: REPRODUCED: PR kern/24039")
            .And.Contain("ok 1 baseline:pr24039/cycle[default]")
            .And.Contain("# patched:pr24039/cycle[default]: NOT REPRODUCED: PR kern/24039 did not form: pr24039.yaml:14: expected verdict deadlock, got completed")
            .And.Contain("not ok 2 patched:pr24039/cycle[default]"));
        var junit = JUnitReport.Build(Reproductions, "k").ToString();
        Assert.That(junit, Does.Contain("type=\"NOT REPRODUCED\"").And.Contain("REPRODUCED: reproduced PR kern/24039"));
        using var doc = JsonDocument.Parse(JsonReport.Build(Reproductions, "k"));
        Assert.That(doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("outcome").GetString()),
            Is.EqualTo(new[] { "REPRODUCED", "NOT REPRODUCED" }));
        Assert.That(HtmlReport.Build(Reproductions, "k"), Does.Contain(">NOT REPRODUCED</td>").And.Contain(">REPRODUCED</td>"));
    }
}
