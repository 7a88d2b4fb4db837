using System.Text;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Reports;

/// <summary>
/// KTAP (the kernel's TAP dialect): one line per case and policy.  Text after " # " on a result line is a
/// directive (SKIP, TODO, ...), so a failure's reason goes on a diagnostic line ("# ...") before its result
/// line; '#' and '\' in names are escaped as TAP 14 says ("\#", "\\").
/// </summary>
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
            var name = Escape($"{(r.Kernel is null ? "" : r.Kernel + ":")}{r.Id}");
            // The reason on a diagnostic line of its own: after '#' on the result line KTAP reads a directive.
            if (!r.Verdict.IsSuccess)
                sb.Append($"# {name}: {r.Word}: {r.Verdict.Summary.ReplaceLineEndings(" ")}\n");
            else if (r.Reproduced)
                sb.Append($"# {name}: {r.Word}: {r.Bug}\n");
            sb.Append(r.Verdict.IsSuccess ? "ok" : "not ok").Append($" {i + 1} {name}\n");
        }
        return sb.ToString();
    }

    /// <summary>A test name with the characters TAP gives a meaning escaped.</summary>
    public static string Escape(string name) => name.Replace("\\", "\\\\").Replace("#", "\\#").ReplaceLineEndings(" ");
}
