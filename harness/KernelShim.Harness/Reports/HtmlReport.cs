using System.Net;
using System.Text;
using KernelShim.Harness.Scenarios;
using ScottPlot;

namespace KernelShim.Harness.Reports;

/// <summary>
/// A single self-contained HTML page: the verdict table and two charts
/// (SVG by ScottPlot): entries over time, merge against no-merge, and the
/// cost of map and lookup against the entry count.
/// </summary>
public static class HtmlReport
{
    /// <param name="when">When the run ended (default: now).</param>
    /// <param name="commit">KernelShim's commit (default: the checkout's HEAD, if git can say).</param>
    public static string Build(IReadOnlyList<CaseResult> results, string target, DateTimeOffset? when = null, string? commit = null)
    {
        int passed = results.Count(r => r.Verdict.IsSuccess);
        commit ??= GitCommit();
        var kernels = results.Select(r => r.Kernel).Where(k => k is not null).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>KernelShim report</title><style>")
          .Append("body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}")
          .Append(".ok{color:#070}.bad{color:#b00;font-weight:bold}figure{margin:1em 0}.meta{color:#555;font-size:13px}</style></head><body>")
          .Append($"<h1>KernelShim: {Enc(target)}</h1><p><b>{passed} passed, {results.Count - passed} failed</b>{Reproductions(results)}</p>")
          .Append($"<p class=\"meta\">run ended {(when ?? DateTimeOffset.UtcNow).UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC; KernelShim {Enc(commit ?? "commit unknown")}; ")
          .Append(kernels.Count > 0 ? $"kernels: {Enc(string.Join(", ", kernels))}" : "kernel: none (the reference model)").Append("</p>");
        sb.Append("<h2>Entries over time: merge against no-merge</h2><figure>").Append(EntriesChart(results)).Append("</figure>");
        sb.Append("<h2>Cost against entry count</h2><figure>").Append(LatencyChart(results)).Append("</figure>");
        bool placed = results.Any(r => r.Kernel is not null || r.Endpoint is not null);
        sb.Append("<h2>Cases</h2><p><label>filter: <input id=\"filter\" size=\"40\" placeholder=\"text in any column, e.g. FAILED or split/\"></label> <span id=\"shown\"></span></p>")
          .Append("<table id=\"cases\"><tr>").Append(placed ? "<th>kernel</th><th>endpoint</th><th>start</th>" : "")
          .Append("<th>case</th><th>policy</th><th>verdict</th><th>entries</th><th>merges</th><th>clips</th><th>locked allocs</th><th>detail</th></tr>");
        foreach (var r in results)
            sb.Append("<tr>").Append(placed ? $"<td>{Enc(r.Kernel ?? "")}</td><td>{Enc(r.Endpoint ?? "not run")}</td><td>{Enc(r.Start ?? "")}</td>" : "")
              .Append($"<td>{Enc(r.Scenario)}/{Enc(r.Case)}</td><td>{Enc(r.Policy)}</td>")
              .Append($"<td class=\"{(r.Verdict.IsSuccess ? "ok" : "bad")}\">{r.Word}</td>")
              .Append($"<td>{r.Metrics.Entries}</td><td>{r.Metrics.Merges}</td><td>{r.Metrics.Clips}</td><td>{r.Metrics.AllocsLocked}</td>")
              .Append($"<td>{Enc(r.Verdict.IsSuccess ? string.Join("; ", r.Verdict.Evidence.Select(e => e.Text)) : r.Verdict.Summary)}</td></tr>");
        sb.Append("</table><script>")
          .Append("const f=document.getElementById('filter'),rows=[...document.querySelectorAll('#cases tr')].slice(1),shown=document.getElementById('shown');")
          .Append("f.addEventListener('input',()=>{const q=f.value.toLowerCase();let n=0;for(const r of rows){const v=r.textContent.toLowerCase().includes(q);r.style.display=v?'':'none';if(v)n++;}shown.textContent=q?n+' of '+rows.length+' shown':'';});")
          .Append("</script></body></html>");
        return sb.ToString();
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    /// <summary>", of which 2 REPRODUCED; 1 NOT REPRODUCED": the reproduction cases, when there are any.</summary>
    private static string Reproductions(IReadOnlyList<CaseResult> results)
    {
        int rep = results.Count(r => r.Reproduced), not = results.Count(r => r.Verdict.Kind == Verdicts.VerdictKind.NotReproduced);
        return rep + not == 0 ? "" : $" (bug reproductions: {rep} REPRODUCED, {not} NOT REPRODUCED)";
    }

    /// <summary>A chart line: the policy, and the kernel when the run was a matrix of several.</summary>
    private static string Series(CaseResult r) => r.Kernel is null ? r.Policy : $"{r.Kernel} {r.Policy}";

    /// <summary>The fragmentation case with the most samples, one line per policy.</summary>
    private static string EntriesChart(IReadOnlyList<CaseResult> results)
    {
        var source = results.Where(r => r.Metrics.EntriesOverTime.Count > 0)
            .GroupBy(r => $"{r.Scenario}/{r.Case}").OrderByDescending(g => g.Max(r => r.Metrics.EntriesOverTime.Count)).FirstOrDefault();
        if (source is null) return "<p>No case recorded entries over time.</p>";
        var plt = new Plot();
        // Policies that behaved identically draw one line, named for all of them: otherwise the last hides the others.
        foreach (var same in source.GroupBy(r => string.Join(',', r.Metrics.EntriesOverTime)))
        {
            var ys = same.First().Metrics.EntriesOverTime.Select(v => (double)v).ToArray();
            var s = plt.Add.ScatterLine(Enumerable.Range(0, ys.Length).Select(i => (double)i).ToArray(), ys);
            s.LegendText = same.Count() == 1 ? Series(same.First()) : $"{string.Join(" = ", same.Select(Series))} (identical)";
        }
        plt.Title($"{source.Key}: live map entries as allocations, then frees, go on");
        plt.XLabel("sample (every k-th operation, about 1000 per phase)");
        plt.YLabel("entries");
        plt.ShowLegend(Edge.Right); // beside the plot, never over the lines
        return plt.GetSvgXml(1100, 420);
    }

    private static string LatencyChart(IReadOnlyList<CaseResult> results)
    {
        var points = results.Where(r => r.Metrics.Latency.Count > 0).ToList();
        if (points.Count == 0) return "<p>No case measured latency.</p>";
        var plt = new Plot();
        foreach (var r in points.GroupBy(Series).Select(g => g.OrderByDescending(r => r.Metrics.Latency.Count).First()))
        {
            var xs = r.Metrics.Latency.Select(p => (double)p.Allocations).ToArray();
            var map = plt.Add.ScatterLine(xs.Select(Math.Log10).ToArray(), r.Metrics.Latency.Select(p => p.MapNs).ToArray());
            map.LegendText = $"{Series(r)}: map ({r.Metrics.Latency[^1].Entries} entries at the end)";
            var look = plt.Add.ScatterLine(xs.Select(Math.Log10).ToArray(), r.Metrics.Latency.Select(p => p.LookupNs).ToArray());
            look.LegendText = $"{Series(r)}: lookup";
            look.LinePattern = LinePattern.Dashed;
        }
        plt.Title("Mean time per map and lookup in the target as allocations grow");
        plt.XLabel("log10(allocations made): no-merge has one entry each, merging policies one in all");
        plt.YLabel("ns per operation");
        plt.ShowLegend(Edge.Right); // beside the plot, never over the lines
        return plt.GetSvgXml(1100, 460);
    }

    /// <summary>$KSHIM_COMMIT, or the checkout's HEAD (short), or null.</summary>
    private static string? GitCommit()
    {
        if (Environment.GetEnvironmentVariable("KSHIM_COMMIT") is { Length: > 0 } c) return c;
        if (RepoPaths.TryFindRoot() is not { } root) return null;
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("git", ["-C", root, "rev-parse", "--short", "HEAD"])
                { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = System.Diagnostics.Process.Start(psi)!;
            var head = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && head.Length > 0 ? $"commit {head}" : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
