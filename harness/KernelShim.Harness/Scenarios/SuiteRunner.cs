using KernelShim.Harness.Devices;

namespace KernelShim.Harness.Scenarios;

/// <summary>Runs every case of every scenario under each policy that the scenario and the target share.</summary>
public sealed class SuiteRunner(IUvmshimDevice device, IReadOnlyList<string> targetPolicies, Func<IUvmshimDevice>? oracle = null)
{
    /// <summary>Called after each case, for progress displays.</summary>
    public Action<CaseResult>? OnCase { get; init; }

    /// <summary>Only cases whose "scenario/case" id contains this text (null: all).</summary>
    public string? Filter { get; init; }

    /// <summary>What crosses a guest's line (<see cref="LineUse"/>).</summary>
    public LineUse Line { get; init; } = LineUse.Lean;

    public IReadOnlyList<CaseResult> Run(IEnumerable<Scenario> scenarios)
    {
        var runner = new ScenarioRunner(device, oracle) { Line = Line };
        var results = new List<CaseResult>();
        foreach (var (s, c, policy) in Plan(scenarios))
        {
            var r = runner.Run(s, c, policy);
            results.Add(r);
            OnCase?.Invoke(r);
        }
        return results;
    }

    /// <summary>Every (scenario, case, policy) <see cref="Run"/> would run, in order.</summary>
    public IEnumerable<(Scenario Scenario, ScenarioCase Case, string Policy)> Plan(IEnumerable<Scenario> scenarios) =>
        Plan(scenarios, targetPolicies, Filter);

    public static IEnumerable<(Scenario Scenario, ScenarioCase Case, string Policy)> Plan(
        IEnumerable<Scenario> scenarios, IReadOnlyList<string> targetPolicies, string? filter)
    {
        foreach (var s in scenarios)
            foreach (var c in s.Cases)
            {
                if (filter is not null && !Matches(filter, $"{s.Name}/{c.Name}")) continue;
                foreach (var policy in PoliciesFor(s, targetPolicies))
                    yield return (s, c, policy);
            }
    }

    /// <summary>The scenario's policies that this target implements; "default" stands in for the merging ones on a kernel.</summary>
    public IEnumerable<string> PoliciesFor(Scenario s) => PoliciesFor(s, targetPolicies);

    private static IEnumerable<string> PoliciesFor(Scenario s, IReadOnlyList<string> targetPolicies)
    {
        foreach (var p in targetPolicies)
        {
            if (s.Policies.Contains(p)) yield return p;
            else if (p == "default" && s.Policies.Any(x => PolicyNames.ClassOf(x) == PolicyNames.Merging)) yield return p;
        }
    }

    /// <summary>The repository's scenarios/ directory (or $KSHIM_SCENARIOS).</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("KSHIM_SCENARIOS") is { Length: > 0 } d ? d : Path.Combine(RepoPaths.Root, "scenarios");

    /// <summary>A filter is one text or several separated by commas; an id matches when it contains any of them.</summary>
    public static bool Matches(string filter, string id) =>
        filter.Split(',', StringSplitOptions.RemoveEmptyEntries).Any(f => id.Contains(f, StringComparison.Ordinal));
}
