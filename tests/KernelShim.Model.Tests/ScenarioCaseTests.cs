using KernelShim.Harness;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Scenarios;
using NUnit.Framework;

namespace KernelShim.Model.Tests;

/// <summary>
/// Every case of every scenario file, under each of its policies, on the
/// model: one NUnit test each, so `dotnet test --filter` can pick one.
/// </summary>
[TestFixture, Category("Model"), Category("Scenario")]
public class ScenarioCaseTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        var dir = Path.Combine(RepoPaths.Root, "scenarios");
        foreach (var s in ScenarioLoader.LoadDirectory(dir))
            foreach (var c in s.Cases)
                foreach (var p in s.Policies)
                    yield return new TestCaseData(s.Path, c.Name, p).SetName($"{s.Name}/{c.Name}[{p}]");
    }

    [TestCaseSource(nameof(Cases))]
    public void RunsOnTheModel(string file, string caseName, string policy)
    {
        var scenario = ScenarioLoader.LoadFile(file);
        using var device = new ModelDevice();
        var result = new ScenarioRunner(device).Run(scenario, scenario.Cases.Single(c => c.Name == caseName), policy);
        Assert.That(result.Verdict.IsSuccess, Is.True, result.Verdict.ToString());
    }
}
