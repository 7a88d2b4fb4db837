using KernelShim.Harness.Errors;
using KernelShim.Harness.Scenarios;

namespace KernelShim.Cli;

/// <summary>The scenarios a run takes and the cases its --filter keeps; a filter that keeps none is an input error, said before anything runs.</summary>
public static class SuiteSelection
{
    public static IReadOnlyList<Scenario> Load(string? dir, string? filter)
    {
        var path = dir ?? SuiteRunner.DefaultDirectory;
        var suite = ScenarioLoader.LoadDirectory(path);
        var ids = suite.SelectMany(s => s.Cases.Select(c => $"{s.Name}/{c.Name}")).ToList();
        if (filter is not null && !ids.Any(id => SuiteRunner.Matches(filter, id)))
            throw new InputException($"--filter '{filter}' matches none of the {ids.Count} case(s) in {path} (ids are scenario/case, e.g. {ids[0]})");
        return suite;
    }

    /// <summary>The report directory, created and checked writable now: a run that could not save its reports would be lost.</summary>
    public static string ReportDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".kshim-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--report {dir}: cannot write reports there ({e.Message})");
        }
    }
}
