using System.Text;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Reports;

/// <summary>KTAP (the kernel's TAP dialect): one line per case and policy.</summary>
public static class KtapReport
{
    public static string Build(IReadOnlyList<CaseResult> results, string target)
    {
        var sb = new StringBuilder("KTAP version 1\n");
        sb.Append($"# KernelShim scenario suite on {target}\n1..{results.Count}\n");
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            if (r.Endpoint is not null) sb.Append($"# {(r.Kernel is null ? "" : $"kernel {r.Kernel} ")}on {r.Endpoint}{(r.Start is null ? "" : $", {r.Start} start")}\n");
            sb.Append(r.Verdict.IsSuccess ? "ok" : "not ok").Append($" {i + 1} {(r.Kernel is null ? "" : r.Kernel + ":")}{r.Id}");
            if (!r.Verdict.IsSuccess) sb.Append($" # {r.Verdict.Kind.ToString().ToUpperInvariant()}: {r.Verdict.Summary.ReplaceLineEndings(" ")}");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
