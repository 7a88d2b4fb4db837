using System.Diagnostics;
using System.Globalization;
using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Scenarios;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.TestGuest;
using KernelShim.Harness.Tests.Runner;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;
using static KernelShim.Harness.Tests.TestGuest.TestGuestBodies;

namespace KernelShim.Harness.Tests.TestGuest;

/// <summary>
/// The test guest on an engine that does not share our file system: the second engine over
/// tcp://127.0.0.1:23752 in copy mode (inputs uploaded, channels through docker exec socat), and,
/// for comparison, on the main engine in bind mode.  Prints the time from start to READY of each.
/// </summary>
[TestFixture, Category("Docker")]
public class CopyModeTests : DockerTestBase
{
    private readonly List<(string Mode, double Seconds)> _ready = [];
    private DockerRunner _remote = null!;
    private string _remoteImage = "";
    private string _kernel = "";
    private string _work = "";

    [OneTimeSetUp]
    public async Task StartTheSecondEngine()
    {
        var tcp = await SecondEngine.RequireTcpAsync();
        _remote = new DockerRunner(tcp);
        var status = await new RunnerImage(_remote).EnsureAsync(TestContext.Progress);
        TestContext.Progress.WriteLine(
            $"runner image {status.Tag} on {tcp}: {(status.CopiedFrom is { } from ? $"copied from {from.Address}" : "present")}, " +
            $"{status.Elapsed.TotalSeconds:0.0} s");
        _remoteImage = status.Tag;
        _kernel = TestGuestKernel.Build();
    }

    [OneTimeTearDown]
    public async Task ReportAndDispose()
    {
        foreach (var group in _ready.GroupBy(r => r.Mode))
            TestContext.Progress.WriteLine(
                $"start to READY, {group.Key}: {string.Join(", ", group.Select(r => r.Seconds.ToString("0.00", CultureInfo.InvariantCulture)))} s");
        if (_remote is not null)
            await _remote.DisposeAsync();
    }

    [SetUp]
    public void FreshWorkDir() => _work = Directory.CreateTempSubdirectory("kshim-copy-").FullName;

    [TearDown]
    public async Task NoRemoteContainerOutlivesTheTest()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            TestContext.Out.WriteLine($"work directory kept: {_work}");
        else
            Directory.Delete(_work, recursive: true);
        if (_remote is null)
            return;
        var left = await _remote.ListSessionContainersAsync();
        foreach (var container in left)
            await _remote.RemoveAsync(container.Id);
        Assert.That(left.Select(c => c.Name), Is.Empty, $"containers on {_remote.Endpoint.Address} outlived the test");
    }

    private GuestRun Run(DockerRunner runner, string image, MachineSpec? spec = null)
    {
        var backend = new DockerQemuBackend(runner, image);
        var mode = backend.Transfer.ToString().ToLowerInvariant();
        var clock = Stopwatch.StartNew();
        return new GuestRun(backend, spec ?? TestGuestKernel.Spec(_kernel, _work), Quick)
        {
            Target = "test guest",
            Progress = line =>
            {
                TestContext.Progress.WriteLine(line);
                if (line.StartsWith("READY", StringComparison.Ordinal))
                    lock (_ready) _ready.Add((mode, clock.Elapsed.TotalSeconds));
            },
        };
    }

    [Test]
    public async Task Copy_mode_over_tcp_boots_to_ready_and_a_passed_verdict_in_a_labelled_container()
    {
        Assert.That(_remote.Endpoint.Transfer, Is.EqualTo(TransferMode.Copy), "tcp:// defaults to copy");
        ContainerSummary? seen = null;
        ContainerDetails? details = null;
        var v = await Run(_remote, _remoteImage).RunAsync(async (s, ready, ct) =>
        {
            seen = (await _remote.ListSessionContainersAsync(ct)).Single();
            details = await _remote.InspectAsync(seen.Id, ct);
            return await AnswerIoctls(s, ready, ct);
        });
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Passed), v.ToString());
        Assert.That(v.Target, Does.Contain("tcp://127.0.0.1:").And.Contain("copy"), "the verdict names the engine and the mode");

        var me = OwnerIdentity.Current;
        var stillThere = await _remote.ExistsAsync(seen!.Id);
        Assert.Multiple(() =>
        {
            Assert.That(seen.Labels[KernelShimLabels.Session], Is.EqualTo(_remote.Session.Id.ToString()));
            Assert.That(seen.Labels[KernelShimLabels.OwnerPid], Is.EqualTo(me.Pid.ToString()));
            Assert.That(seen.Labels[KernelShimLabels.OwnerStart], Is.EqualTo(me.StartTicks.ToString()));
            Assert.That(seen.Labels[KernelShimLabels.OwnerBoot], Is.EqualTo(me.BootId));
            Assert.That(details!.Binds, Is.Empty, "copy mode mounts nothing of ours");
            Assert.That(details.NetworkMode, Is.EqualTo("none"));
            Assert.That(stillThere, Is.False, "the container is removed after the run");
            Assert.That(new FileInfo(Path.Combine(_work, "console.log")).Length, Is.GreaterThan(0), "the console log is written on the host");
            Assert.That(Directory.GetFiles(_work, "*.sock"), Is.Empty, "QEMU's sockets stay in the container");
        });
    }

    [Test]
    public async Task Copy_mode_turns_a_panic_into_a_panic_verdict_with_ddb_stacks()
    {
        var v = await Run(_remote, _remoteImage).RunAsync(Panic);
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Panic), v.ToString());
        Assert.That(v.Summary, Does.Contain("DiagnosticAssertion"));
        Assert.That(v.Evidence.Single(e => e.Name == "ddb").Text, Does.Contain("db{0}>"), "ddb commands went through the exec stream");
        Assert.That(File.ReadAllText(v.Evidence.Single(e => e.Name == "console").File!), Does.Contain("panic: kernel diagnostic assertion"));
    }

    [Test]
    public async Task Copy_mode_carries_a_break_to_ddb_when_the_guest_hangs()
    {
        var v = await Run(_remote, _remoteImage).RunAsync(Hang);
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Timeout), v.ToString());
        Assert.That(v.Evidence.Single(e => e.Name == "ddb").Text, Does.Contain("db{0}>"), "Ctrl-A b reached QEMU's mux as bytes");
    }

    [Test]
    public async Task Copy_mode_names_a_missing_input_as_an_infrastructure_error()
    {
        var spec = TestGuestKernel.Spec(Path.Combine(_work, "no-such-kernel"), _work);
        var v = await Run(_remote, _remoteImage, spec).RunAsync((_, _, _) => Task.FromResult(Verdict.Passed("no")));
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.InfrastructureError));
        Assert.That(v.Summary, Does.Contain("no-such-kernel"));
    }

    [Test]
    public async Task Bind_mode_on_the_main_engine_still_boots_to_a_passed_verdict()
    {
        Assert.That(Runner.Endpoint.Transfer, Is.EqualTo(TransferMode.Bind), "unix:// defaults to bind");
        var v = await Run(Runner, Image).RunAsync(AnswerIoctls);
        Report(v);
        Assert.That(v.Kind, Is.EqualTo(VerdictKind.Passed), v.ToString());
        Assert.That(v.Target, Does.Contain("unix:///").And.Contain("bind"));
    }

    [Test]
    public async Task A_matrix_over_both_engines_runs_cells_on_each_in_its_own_mode()
    {
        IGuestUnderTest[] guests = [new TestGuestUnderTest(_kernel, "tg-a"), new TestGuestUnderTest(_kernel, "tg-b")];
        Scenario[] merge = [.. ScenarioLoader.LoadDirectory(SuiteRunner.DefaultDirectory).Where(s => s.Name == "merge")];
        void Progress(string line) => TestContext.Progress.WriteLine(line);
        await using var setup = await MatrixSetup.PrepareAsync(guests, [Runner.Endpoint, _remote.Endpoint], AccelMode.Tcg, maxJobs: null, Progress);
        Assert.That(setup.Plan.Endpoints.Select(e => e.Slots), Has.All.EqualTo(1),
            $"two engines of one 2-core machine share it: {string.Join("; ", setup.Plan.Endpoints)}");

        var matrix = await setup.Runner(null, Progress).RunAsync(guests, merge);

        Assert.That(matrix.Cases.Where(c => !c.Verdict.IsSuccess).Select(c => $"{c.Kernel}:{c.Id} on {c.Endpoint}: {c.Verdict}"), Is.Empty);
        Assert.That(matrix.Cells.Select(c => c.Endpoint!.Transfer), Is.EquivalentTo(new[] { TransferMode.Bind, TransferMode.Copy }),
            "one cell on each engine, each in its endpoint's mode");
    }

    [Test]
    public async Task The_second_engine_has_the_image_under_the_same_tag_and_ensuring_it_again_copies_nothing()
    {
        var status = await new RunnerImage(_remote).EnsureAsync();
        Assert.Multiple(() =>
        {
            Assert.That(status.Tag, Is.EqualTo(Image), "the same content-hash tag as on the main engine");
            Assert.That(status.Built, Is.False);
            Assert.That(status.CopiedFrom, Is.Null, "already there: nothing copied");
        });
        Assert.That(await _remote.ImageExistsAsync(RunnerImage.LatestTag), Is.True);
    }
}
