using System.Text.Json;
using System.Text.Json.Serialization;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Reports;

/// <summary>Everything a run measured, for tools (and for `kshim validate` comparisons).</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Build(IReadOnlyList<CaseResult> results, string target) =>
        JsonSerializer.Serialize(new
        {
            target,
            passed = results.Count(r => r.Verdict.IsSuccess),
            failed = results.Count(r => !r.Verdict.IsSuccess),
            reproduced = results.Count(r => r.Reproduced),
            notReproduced = results.Count(r => r.Verdict.Kind == Verdicts.VerdictKind.NotReproduced),
            cases = results.Select(r => new
            {
                id = r.Id, scenario = r.Scenario, @case = r.Case, policy = r.Policy,
                kernel = r.Kernel, endpoint = r.Endpoint, repeat = r.Repeat, start = r.Start,
                verdict = r.Verdict.Kind, outcome = r.Word, intent = r.Intent, bug = r.Bug, summary = r.Verdict.Summary,
                seconds = r.Verdict.Duration.TotalSeconds,
                evidence = r.Verdict.Evidence.Select(e => new { e.Name, e.Text, e.File }),
                metrics = r.Metrics,
            }),
        }, Options);
}
