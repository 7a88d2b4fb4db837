using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml.Linq;
using KernelShim.Harness.Validation;

namespace KernelShim.Harness.Reports;

/// <summary>
/// The reports of `kshim validate`: a case per line with its SAME, CHANGED,
/// FIXED or REGRESSION and both sides' outcomes, in the four formats of a
/// run (JUnit XML, KTAP, JSON, HTML).  Only a REGRESSION is a failure.
/// </summary>
public static class ValidationReport
{
    public static IReadOnlyList<string> Write(string dir, SuiteComparison cmp, string baseline, string patched)
    {
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        void Put(string name, string text)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path + ".tmp", text);
            File.Move(path + ".tmp", path, overwrite: true);
            files.Add(path);
        }
        string title = $"{patched} against {baseline}";
        Put("junit.xml", JUnit(cmp, title).ToString());
        Put("results.ktap", Ktap(cmp, title));
        Put("results.json", Json(cmp, baseline, patched));
        Put("report.html", Html(cmp, title));
        return files;
    }

    public static string Headline(SuiteComparison cmp) =>
        $"{cmp.Overall.ToString().ToUpperInvariant()}: " + string.Join(", ",
            Enum.GetValues<PatchVerdict>().Reverse().Select(v => (v, n: cmp.With(v).Count())).Where(x => x.n > 0)
                .Select(x => $"{x.n} {x.v.ToString().ToUpperInvariant()}"));

    public static XDocument JUnit(SuiteComparison cmp, string title) =>
        new(new XElement("testsuites", new XAttribute("name", $"kshim validate: {title}"),
            new XElement("testsuite",
                new XAttribute("name", "validate"),
                new XAttribute("tests", cmp.Cases.Count),
                new XAttribute("failures", cmp.With(PatchVerdict.Regression).Count()),
                new XElement("properties",
                    new XElement("property", new XAttribute("name", "verdict"), new XAttribute("value", cmp.Overall.ToString().ToUpperInvariant())),
                    new XElement("property", new XAttribute("name", "timing"), new XAttribute("value", cmp.TimingNote))),
                cmp.Cases.Select(c => new XElement("testcase",
                    new XAttribute("classname", "kshim.validate"),
                    new XAttribute("name", c.Id),
                    c.Verdict == PatchVerdict.Regression
                        ? new XElement("failure", new XAttribute("type", c.Word), new XAttribute("message", $"{c.Baseline} -> {c.Patched}: {c.Detail}"))
                        : new XElement("system-out", $"{c.Word}: {c.Baseline} -> {c.Patched}{(c.Details.Count > 0 ? $": {c.Detail}" : "")}"))))));

    public static string Ktap(SuiteComparison cmp, string title)
    {
        var sb = new StringBuilder("KTAP version 1\n");
        sb.Append($"# kshim validate: {title}\n# {cmp.TimingNote}\n1..{cmp.Cases.Count}\n");
        for (int i = 0; i < cmp.Cases.Count; i++)
        {
            var c = cmp.Cases[i];
            sb.Append(c.Verdict == PatchVerdict.Regression ? "not ok" : "ok")
              .Append($" {i + 1} {c.Id} # {c.Word}: {c.Baseline} -> {c.Patched}");
            if (c.Details.Count > 0) sb.Append($"; {c.Detail.ReplaceLineEndings(" ")}");
            sb.Append('\n');
        }
        sb.Append($"# VERDICT {Headline(cmp)}\n");
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static string Json(SuiteComparison cmp, string baseline, string patched) =>
        JsonSerializer.Serialize(new
        {
            baseline, patched,
            verdict = cmp.Overall.ToString().ToUpperInvariant(),
            repeats = cmp.Repeats,
            timing = new { compared = cmp.TimingCompared, note = cmp.TimingNote },
            counts = Enum.GetValues<PatchVerdict>().ToDictionary(v => v.ToString().ToUpperInvariant(), v => cmp.With(v).Count()),
            cases = cmp.Cases.Select(c => new { id = c.Id, verdict = c.Word, baseline = c.Baseline, patched = c.Patched, details = c.Details }),
        }, Options);

    public static string Html(SuiteComparison cmp, string title)
    {
        static string Enc(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>kshim validate</title><style>")
          .Append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}")
          .Append(".REGRESSION{color:#b00;font-weight:bold}.FIXED{color:#070;font-weight:bold}.CHANGED{color:#a60}</style></head><body>")
          .Append($"<h1>kshim validate: {Enc(title)}</h1><p class=\"{cmp.Overall.ToString().ToUpperInvariant()}\">VERDICT {Enc(Headline(cmp))}</p><p>{Enc(cmp.TimingNote)}</p>")
          .Append("<table><tr><th>case</th><th>verdict</th><th>baseline</th><th>patched</th><th>detail</th></tr>");
        foreach (var c in cmp.Cases)
            sb.Append($"<tr><td>{Enc(c.Id)}</td><td class=\"{c.Word}\">{c.Word}</td><td>{Enc(c.Baseline)}</td><td>{Enc(c.Patched)}</td><td>{Enc(c.Detail)}</td></tr>");
        sb.Append("</table></body></html>");
        return sb.ToString();
    }
}
