using KernelShim.Harness;
using KernelShim.Harness.Scenarios;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scenarios;

[TestFixture, Category("Unit")]
public class ScenarioLoaderTests
{
    private const string Head = "scenario: t\ndescription: d\ncases:\n  - name: c\n    steps:\n";

    private static ScenarioFormatException Reject(string yaml) =>
        Assert.Throws<ScenarioFormatException>(() => ScenarioLoader.Parse(yaml, "/x/t.yaml"))!;

    [Test]
    public void EveryShippedScenarioLoads()
    {
        var all = ScenarioLoader.LoadDirectory(Path.Combine(RepoPaths.Root, "scenarios"));
        Assert.That(all.Select(s => s.Name), Is.SupersetOf(new[] { "merge", "split", "pr24039", "fragmentation", "stress", "fuzz" }));
    }

    [Test]
    public void ParsesStepsAndPerPolicyValues()
    {
        var s = ScenarioLoader.Parse(Head + "      - map: {at: 0, pages: 4}\n        expect: {outcome: {merging: back-merge, nomerge: new-entry}, entries: 1}\n", "t.yaml");
        var map = (MapStep)s.Cases[0].Steps[0];
        Assert.That((map.At, map.Pages, map.Prot), Is.EqualTo(((long?)0, 4L, 3u)));
        Assert.That(map.Outcome!.TryGet("modern", out var o) ? o : null, Is.EqualTo("back-merge"));
        Assert.That(map.Outcome!.TryGet("nomerge", out var n) ? n : null, Is.EqualTo("new-entry"));
        Assert.That(map.Entries!.TryGet("merge-alloc", out long e) ? e : -1, Is.EqualTo(1));
        Assert.That(s.Policies, Is.EqualTo(PolicyNames.ModelPolicies));
    }

    [Test]
    public void PolicyBeatsClassBeatsStar()
    {
        var s = ScenarioLoader.Parse(Head + "      - unmap: {from: 0, to: 4}\n        expect: {clips: {modern: 2, merging: 1, \"*\": 0}}\n", "t.yaml");
        var u = (UnmapStep)s.Cases[0].Steps[0];
        long Get(string p) => u.Clips!.TryGet(p, out long v) ? v : -1;
        Assert.That((Get("modern"), Get("merge-alloc"), Get("nomerge")), Is.EqualTo((2L, 1L, 0L)));
    }

    [TestCase("      - map: {at: 0, pagez: 4}\n", "t.yaml:6:", "unknown field 'pagez'")]
    [TestCase("      - map: {at: 0}\n", "t.yaml:6:", "'pages' is required")]
    [TestCase("      - map: {at: -1, pages: 1}\n", "t.yaml:6:", "map.at = -1 is out of range")]
    [TestCase("      - map: {at: 0, pages: 1, prot: rwz}\n", "t.yaml:6:", "map.prot: 'rwz'")]
    [TestCase("      - map: {at: 0, pages: 1}\n        expect: {outcome: merged}\n", "t.yaml:7:", "'merged' is not one of")]
    [TestCase("      - map: {at: 0, pages: 1}\n        expect: {error: EWHAT}\n", "t.yaml:7:", "unknown errno 'EWHAT'")]
    [TestCase("      - unmap: {from: 0, to: 4}\n        expect: {clips: {fancy: 1}}\n", "t.yaml:7:", "'fancy' is neither a policy nor a class")]
    [TestCase("      - jump: {}\n", "t.yaml:6:", "a step needs exactly one of")]
    [TestCase("      - stats: {bogus_counter: 1}\n", "t.yaml:6:", "unknown field 'bogus_counter'")]
    [TestCase("      - cycle: {pages: 2}\n", "t.yaml:6:", "cycle.pages = 2 is out of range")]
    [TestCase("      - entries: [[4, 2]]\n", "t.yaml:6:", "entry [4, 2] is empty")]
    [TestCase("      - map: {at: 0, pages: 1\n", "t.yaml:", "not valid YAML")]
    public void RejectsWithFileLineAndField(string steps, string where, string what)
    {
        var e = Reject(Head + steps);
        Assert.That(e.Message, Does.StartWith(where));
        Assert.That(e.Message, Does.Contain(what));
    }

    [Test]
    public void RejectsUnknownPolicyAndTopLevelField()
    {
        Assert.That(Reject("scenario: t\ndescription: d\npolicies: [fast]\ncases: []\n").Message, Does.Contain("unknown policy 'fast'"));
        Assert.That(Reject("scenario: t\ndescription: d\nextra: 1\ncases: []\n").Message, Does.Contain("t.yaml:3:1: unknown field 'extra'"));
        Assert.That(Reject("scenario: t\ndescription: d\ncases: []\n").Message, Does.Contain("at least one case"));
    }

    [Test]
    public void RejectsDuplicateCaseNames() =>
        Assert.That(Reject(Head + "      - map: {pages: 1}\n  - name: c\n    steps:\n      - map: {pages: 1}\n").Message,
            Does.Contain("case name 'c' is used twice"));
}
