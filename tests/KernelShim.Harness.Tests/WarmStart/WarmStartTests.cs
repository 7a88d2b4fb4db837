using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.TestGuest;
using KernelShim.Harness.Tests.Runner;
using KernelShim.Harness.Verdicts;
using KernelShim.Harness.WarmStart;
using NUnit.Framework;
using static KernelShim.Harness.Tests.TestGuest.TestGuestBodies;

namespace KernelShim.Harness.Tests.WarmStart;

/// <summary>
/// Warm starts on the test guest in the runner container: the first run boots cold and saves the
/// VM at READY, the next starts from that state and must be exactly as pristine; a state that
/// cannot be restored falls back to a cold boot and says so.
/// </summary>
[TestFixture, Category("Docker")]
public class WarmStartTests : DockerTestBase
{
    private string _kernel = "";
    private string _store = "";
    private readonly List<string> _work = [];

    [OneTimeSetUp]
    public void BuildGuest() => _kernel = TestGuestKernel.Build();

    [SetUp]
    public void FreshStore() => _store = Directory.CreateTempSubdirectory("kshim-warm-").FullName;

    [TearDown]
    public void Remove()
    {
        foreach (var d in _work.Append(_store)) Directory.Delete(d, recursive: true);
        _work.Clear();
    }

    /// <summary>The state's layout: RAM as an image of its own (bind mode) or all in the stream (copy mode).</summary>
    private bool _ramFile;

    private GuestRun Run()
    {
        var work = Directory.CreateTempSubdirectory("kshim-tg-").FullName;
        _work.Add(work);
        var spec = TestGuestKernel.Spec(_kernel, work);
        var guestKey = new TestGuestUnderTest(_kernel).WarmKey!;
        return new GuestRun(new DockerQemuBackend(Runner, Image), spec, Quick)
        {
            Target = "test guest",
            Progress = line => TestContext.Progress.WriteLine(line),
            Warm = new WarmStartOptions(new SavedStateStore(_store), WarmStartKey.Compute(guestKey, spec, Image, _ramFile), "test", _ramFile),
        };
    }

    /// <summary>Makes a map with one mapping, returns its id in the summary; fails if the id is taken.</summary>
    private static Task<Verdict> MakeMap(VmSession s, KernelShim.Harness.Agent.ReadyInfo ready, CancellationToken ct)
    {
        var client = new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.TestGuest, "test guest"));
        ulong ps = client.Version().page_size;
        uint id = client.CreateMap(16 * ps, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        client.Map(id, 0, ps, flags: UvmshimIoctl.UVMSHIM_MAPF_FIXED);
        return Task.FromResult(Verdict.Passed($"{id}"));
    }

    /// <summary>The map of another run must not exist here; a new one gets the same id.</summary>
    private static Func<VmSession, KernelShim.Harness.Agent.ReadyInfo, CancellationToken, Task<Verdict>> AbsentThenSameId(uint earlier) => (s, _, _) =>
    {
        var client = new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.TestGuest, "test guest"));
        try
        {
            client.Stats(earlier);
            return Task.FromResult(Verdict.Failed($"map {earlier} of the earlier run exists"));
        }
        catch (UvmshimException e) when (e.Errno != 2)
        {
            return Task.FromResult(Verdict.Failed($"map {earlier} of the earlier run: {e.Message}, not ENOENT"));
        }
        catch (UvmshimException)
        {
            // ENOENT: absent, as it must be.
        }
        ulong ps = client.Version().page_size;
        uint id = client.CreateMap(16 * ps, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
        return Task.FromResult(id == earlier ? Verdict.Passed("pristine") : Verdict.Failed($"a new map got id {id}, the first run's got {earlier}"));
    };

    [TestCase(true)]
    [TestCase(false)]
    public async Task TheFirstRunSavesAndTheNextStartsFromItPristine(bool ramFile)
    {
        _ramFile = ramFile;
        var first = await Run().RunAsync(MakeMap);
        Report(first);
        Assert.That(first.Kind, Is.EqualTo(VerdictKind.Passed), first.ToString());
        if (ramFile)
        {
            // The boot that saves only saves; the run itself starts from what it saved.
            Assert.That(first.Start!.Kind, Is.EqualTo(StartKind.Warm));
            Assert.That(first.Start.Detail, Does.Contain("made by a cold boot just now"));
        }
        else
        {
            // The boot that saves goes on to run the body.
            Assert.That(first.Start!.Kind, Is.EqualTo(StartKind.Cold));
            Assert.That(first.Start.Detail, Does.Contain("no saved state yet").And.Contain("saved at READY"));
        }
        uint map = uint.Parse(first.Summary);

        var second = await Run().RunAsync(MakeMap);
        Report(second);
        Assert.That(second.Start!.Kind, Is.EqualTo(StartKind.Warm), second.Start.ToString());
        Assert.That(second.Summary, Is.EqualTo(first.Summary), "the same first map id: nothing of the first run's VM after READY is in the state");

        if (ramFile) Assert.That(Directory.GetFiles(_store, SavedState.RamFile, SearchOption.AllDirectories), Has.Length.EqualTo(1));
        var third = await Run().RunAsync(AbsentThenSameId(map));
        Report(third);
        Assert.That(third.Start!.Kind, Is.EqualTo(StartKind.Warm));
        Assert.That(third.Kind, Is.EqualTo(VerdictKind.Passed), third.ToString());
    }

    [TestCase("corrupt", true)]
    [TestCase("missing", true)]
    [TestCase("corrupt", false)]
    public async Task AStateThatCannotBeRestoredFallsBackToAColdBootAndSaysSo(string damage, bool ramFile)
    {
        _ramFile = ramFile;
        var first = await Run().RunAsync(MakeMap);
        Assert.That(first.Kind, Is.EqualTo(VerdictKind.Passed), first.ToString());
        var state = Directory.GetFiles(_store, SavedState.StateFile, SearchOption.AllDirectories).Single();
        if (damage == "missing") File.Delete(state);
        else
        {
            var bytes = File.ReadAllBytes(state);
            new Random(1).NextBytes(bytes.AsSpan(bytes.Length / 4, bytes.Length / 2));
            File.WriteAllBytes(state, bytes);
        }

        var second = await Run().RunAsync(MakeMap);
        Report(second);
        Assert.That(second.Kind, Is.EqualTo(VerdictKind.Passed), "a cold boot ran the body: " + second);
        Assert.That(second.Start!.Kind, Is.EqualTo(StartKind.Cold));
        Assert.That(second.Start.Detail, Does.Contain("warm restore failed").And.Contain("fell back to a cold boot"));
        Assert.That(second.Start.Detail, damage == "missing" ? Does.Contain("is missing") : Does.Contain("load of migration failed").Or.Contain("section"));
        if (!ramFile) Assert.That(second.Start.Detail, Does.Contain("saved at READY"), "the fallback boot saves a good state again");

        var third = await Run().RunAsync(MakeMap);
        Report(third);
        Assert.That(third.Start!.Kind, Is.EqualTo(StartKind.Warm), third.Start.ToString());
        Assert.That(third.Kind, Is.EqualTo(VerdictKind.Passed), third.ToString());
    }
}
