using System.Text;
using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

[TestFixture]
[Category("Docker")]
public sealed class DockerRunnerTests : DockerTestBase
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Engine_answers_with_api_1_41_or_later()
    {
        var probe = await new DockerEngine().ProbeAsync();
        Assert.That(probe.Answers, Is.True, probe.Describe());
        Assert.That(Version.Parse(probe.ApiVersion!), Is.GreaterThanOrEqualTo(new Version(1, 41)));
    }

    [Test]
    public async Task Qemu_version_runs_through_create_attach_start_wait_remove()
    {
        using var cts = new CancellationTokenSource(Limit);
        var container = await Runner.CreateAsync(RunnerSpec("qemu-system-x86_64", "--version").Build(), cts.Token);
        try
        {
            Assert.That(container.Name, Does.StartWith($"kshim-{Runner.Session.ShortId}-"));
            using var streams = await container.AttachAsync(cancellationToken: cts.Token);
            await container.StartAsync(cts.Token);
            var output = await streams.ReadToEndAsync(cts.Token);
            var exitCode = await container.WaitAsync(cts.Token);

            Assert.That(exitCode, Is.Zero, output.Stderr);
            Assert.That(output.Stdout, Does.Contain("QEMU emulator version"));
        }
        finally
        {
            await container.RemoveAsync(CancellationToken.None);
        }
        Assert.That(await Runner.ExistsAsync(container.Id), Is.False, "removed container still exists");
        Assert.That(Runner.OwnedContainers, Does.Not.Contain(container.Name));
    }

    [Test]
    public async Task Containers_carry_session_and_owner_labels_and_no_network()
    {
        await using var container = await Runner.CreateAsync(
            RunnerSpec("true").WithLabel("org.example.purpose", "label-test").Build());
        var details = await container.InspectAsync();
        var me = OwnerIdentity.Current;

        Assert.Multiple(() =>
        {
            Assert.That(details.Labels[KernelShimLabels.Session], Is.EqualTo(Runner.Session.Id.ToString()));
            Assert.That(details.Labels[KernelShimLabels.OwnerPid], Is.EqualTo(me.Pid.ToString()));
            Assert.That(details.Labels[KernelShimLabels.OwnerStart], Is.EqualTo(me.StartTicks.ToString()));
            Assert.That(details.Labels[KernelShimLabels.OwnerBoot], Is.EqualTo(me.BootId));
            Assert.That(details.Labels["org.example.purpose"], Is.EqualTo("label-test"));
            Assert.That(details.NetworkMode, Is.EqualTo("none"));
            Assert.That(details.Devices, Has.No.Member("/dev/kvm"), "KVM was not asked for");
        });
    }

    [Test]
    public async Task Run_separates_stdout_stderr_and_reports_the_exit_code()
    {
        var result = await Runner.RunAsync(
            RunnerSpec("sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3").Build(), Limit);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3));
            Assert.That(result.Stdout, Is.EqualTo("to-stdout\n"));
            Assert.That(result.Stderr, Is.EqualTo("to-stderr\n"));
        });
        Assert.That(await Runner.ExistsAsync(result.Name), Is.False);
    }

    [Test]
    public async Task Stdin_reaches_the_container_and_closing_it_ends_the_process()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var container = await Runner.CreateAsync(RunnerSpec("sh", "-c", "tr a-z A-Z").WithStdin().Build(), cts.Token);
        using var streams = await container.AttachAsync(stdin: true, cts.Token);
        await container.StartAsync(cts.Token);

        await streams.WriteAsync("hello kernel\n", cts.Token);
        streams.CloseStdin();
        var output = await streams.ReadToEndAsync(cts.Token);

        Assert.That(await container.WaitAsync(cts.Token), Is.Zero);
        Assert.That(output.Stdout, Is.EqualTo("HELLO KERNEL\n"));
    }

    [Test]
    public async Task Binds_share_a_host_folder()
    {
        var folder = Directory.CreateTempSubdirectory("kshim-bind-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "in.txt"), "from-host");
            var result = await Runner.RunAsync(
                RunnerSpec("sh", "-c", "cat /share/in.txt; echo from-container > /share/out.txt")
                    .WithBind(folder.FullName, "/share").Build(), Limit);

            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(result.Stdout, Is.EqualTo("from-host"));
            Assert.That(await File.ReadAllTextAsync(Path.Combine(folder.FullName, "out.txt")), Is.EqualTo("from-container\n"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Stop_ends_a_running_container()
    {
        await using var container = await Runner.CreateAsync(RunnerSpec("sleep", "600").Build());
        await container.StartAsync();
        Assert.That((await container.InspectAsync()).Running, Is.True);

        await container.StopAsync(TimeSpan.FromSeconds(1));

        Assert.That((await container.InspectAsync()).Running, Is.False);
    }

    [Test]
    public async Task Qemu_boots_a_grub_iso_to_serial_output_in_the_runner()
    {
        // grub-mkrescue and QEMU (TCG, -nodefaults, no network) inside the runner image.
        const string script = """
            mkdir -p /tmp/iso/boot/grub
            printf 'serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\nset timeout=0\necho KSHIM-TEST-BOOT\nhalt\n' > /tmp/iso/boot/grub/grub.cfg
            grub-mkrescue -o /tmp/boot.iso /tmp/iso >/tmp/mkrescue.log 2>&1 || { cat /tmp/mkrescue.log >&2; exit 1; }
            exec timeout 60 qemu-system-x86_64 -machine q35 -accel tcg -m 64 -nodefaults -nic none \
                -display none -serial stdio -no-reboot -drive file=/tmp/boot.iso,media=cdrom,readonly=on
            """;
        var result = await Runner.RunAsync(RunnerSpec("sh", "-c", script).Build(), TimeSpan.FromSeconds(90));

        Assert.That(result.Stdout, Does.Contain("KSHIM-TEST-BOOT"), result.Stderr);
    }

    [Test]
    public async Task Disposing_a_runner_removes_its_containers()
    {
        string name;
        await using (var second = new DockerRunner(reapStale: false))
        {
            var container = await second.CreateAsync(RunnerSpec("sleep", "600").Build());
            await container.StartAsync();
            name = container.Name;
            Assert.That(second.OwnedContainers, Does.Contain(name));
        }
        Assert.That(await Runner.ExistsAsync(name), Is.False, $"{name} survived its runner's disposal");
    }

    [Test]
    public async Task A_missing_image_is_a_clear_error()
    {
        var spec = new ContainerSpecBuilder().WithImage("kshim-no-such-image:never").WithCommand("true").Build();
        var error = Assert.ThrowsAsync<RunnerException>(async () => await Runner.CreateAsync(spec));
        Assert.That(error!.Message, Does.Contain("kshim-no-such-image:never"));
    }

    [Test]
    public async Task An_engine_that_does_not_answer_names_the_start_script()
    {
        // An engine the start script makes (its extra instance 9, which no test starts): the advice is the script.
        var nowhere = new DockerEndpoint(new Uri("unix:///var/run/kshim-docker-9.sock"), DockerEndpoint.DefaultApiVersion);
        var probe = await new DockerEngine(nowhere).ProbeAsync(TimeSpan.FromSeconds(2));
        Assert.That(probe.Answers, Is.False);
        Assert.That(probe.Describe(), Does.Contain("scripts/docker-engine.sh --instance 9"));
        // Any other socket: nothing here can start it, so no advice to run the script.
        var foreign = new DockerEndpoint(new Uri("unix:///tmp/kshim-no-such-docker.sock"), DockerEndpoint.DefaultApiVersion);
        var foreignProbe = await new DockerEngine(foreign).ProbeAsync(TimeSpan.FromSeconds(2));
        Assert.That(foreignProbe.Describe(), Does.Not.Contain("docker-engine.sh").And.Contain("check that an engine listens there"));

        using var runner = new DockerRunner(nowhere, reapStale: false);
        var error = Assert.ThrowsAsync<DockerEngineUnavailableException>(
            async () => await runner.CreateAsync(RunnerSpec("true").Build()));
        Assert.That(error!.Message, Does.Contain("scripts/docker-engine.sh"));
    }

    [Test]
    public async Task Runner_image_is_tagged_by_the_hash_of_its_inputs()
    {
        var image = new RunnerImage(Runner);
        var expected = await image.ExpectedTagAsync();
        var status = await image.EnsureAsync();

        Assert.That(status.Tag, Is.EqualTo(expected));
        Assert.That(status.Built, Is.False, "the fixture already ensured the image");
        Assert.That(await Runner.ImageExistsAsync(RunnerImage.LatestTag), Is.True);
        Assert.That(Encoding.ASCII.GetByteCount(expected), Is.EqualTo("kshim-runner:".Length + 16));
    }
}
