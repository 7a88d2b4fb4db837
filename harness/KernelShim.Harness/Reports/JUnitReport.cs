using System.Xml.Linq;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Reports;

/// <summary>JUnit XML for CI: one suite per scenario, one test case per case and policy.</summary>
public static class JUnitReport
{
    public static XDocument Build(IReadOnlyList<CaseResult> results, string target)
    {
        var suites = results.GroupBy(r => r.Scenario).Select(g => new XElement("testsuite",
            new XAttribute("name", g.Key),
            new XAttribute("tests", g.Count()),
            new XAttribute("failures", g.Count(r => !r.Verdict.IsSuccess)),
            new XAttribute("time", g.Sum(r => r.Verdict.Duration.TotalSeconds).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)),
            new XElement("properties", new XElement("property", new XAttribute("name", "target"), new XAttribute("value", target))),
            g.Select(r => new XElement("testcase",
                new XAttribute("classname", $"kshim.{r.Scenario}"),
                new XAttribute("name", $"{r.Case}[{r.Policy}]"),
                new XAttribute("time", r.Verdict.Duration.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)),
                r.Verdict.IsSuccess ? null : new XElement("failure",
                    new XAttribute("type", r.Verdict.Kind.ToString()),
                    new XAttribute("message", r.Verdict.Summary),
                    r.Verdict.ConsoleTail)))));
        return new XDocument(new XElement("testsuites", new XAttribute("name", $"KernelShim on {target}"), suites));
    }
}
