using System.Xml.Linq;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Reports;

/// <summary>JUnit XML for CI: one suite per scenario, one test case per case and policy.</summary>
public static class JUnitReport
{
    public static XDocument Build(IReadOnlyList<CaseResult> results, string target)
    {
        // One suite per scenario, and per kernel, endpoint and repeat when the run was a matrix.
        var suites = results.GroupBy(r => (r.Kernel, r.Scenario, r.Endpoint, r.Repeat)).Select(g => new XElement("testsuite",
            new XAttribute("name", SuiteName(g.Key.Kernel, g.Key.Scenario, g.Key.Repeat)),
            new XAttribute("tests", g.Count()),
            new XAttribute("failures", g.Count(r => !r.Verdict.IsSuccess)),
            new XAttribute("time", g.Sum(r => r.Verdict.Duration.TotalSeconds).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)),
            new XElement("properties",
                new XElement("property", new XAttribute("name", "target"), new XAttribute("value", target)),
                g.Key.Kernel is null ? null : new XElement("property", new XAttribute("name", "kernel"), new XAttribute("value", g.Key.Kernel)),
                g.Key.Endpoint is null ? null : new XElement("property", new XAttribute("name", "endpoint"), new XAttribute("value", g.Key.Endpoint)),
                g.First().Start is not { } start ? null : new XElement("property", new XAttribute("name", "start"), new XAttribute("value", start))),
            g.Select(r => new XElement("testcase",
                new XAttribute("classname", r.Kernel is null ? $"kshim.{r.Scenario}" : $"kshim.{r.Kernel}.{r.Scenario}"),
                new XAttribute("name", $"{r.Case}[{r.Policy}]"),
                new XAttribute("time", r.Verdict.Duration.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)),
                r.Verdict.IsSuccess ? new XElement("system-out", $"{r.Word}: {r.Verdict.Summary}") : new XElement("failure",
                    new XAttribute("type", r.Word),
                    new XAttribute("message", $"{r.Word}: {r.Verdict.Summary}"),
                    r.Verdict.ConsoleTail)))));
        return new XDocument(new XElement("testsuites", new XAttribute("name", $"KernelShim on {target}"), suites));
    }

    private static string SuiteName(string? kernel, string scenario, int repeat) =>
        (kernel is null ? scenario : $"{kernel}/{scenario}") + (repeat > 0 ? $" (repeat {repeat + 1})" : "");
}
