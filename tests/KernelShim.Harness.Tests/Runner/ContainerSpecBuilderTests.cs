using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

[TestFixture]
[Category("Unit")]
public sealed class ContainerSpecBuilderTests
{
    [Test]
    public void Defaults_are_no_network_no_kvm_and_the_kshim_prefix()
    {
        var spec = new ContainerSpecBuilder().WithImage("kshim-runner:latest").Build();

        Assert.Multiple(() =>
        {
            Assert.That(spec.Image, Is.EqualTo("kshim-runner:latest"));
            Assert.That(spec.Network, Is.EqualTo("none"));
            Assert.That(spec.UseKvm, Is.False);
            Assert.That(spec.AllDevices, Is.Empty);
            Assert.That(spec.NamePrefix, Is.EqualTo("kshim"));
            Assert.That(spec.Command, Is.Empty);
            Assert.That(spec.Entrypoint, Is.Null);
            Assert.That(spec.OpenStdin, Is.False);
        });
    }

    [Test]
    public void Collects_command_binds_devices_labels_and_environment()
    {
        var spec = new ContainerSpecBuilder()
            .WithImage("img")
            .WithCommand("qemu-system-x86_64", "-nodefaults")
            .WithEntrypoint("/bin/sh", "-c")
            .WithEnvironment("A", "1")
            .WithWorkingDirectory("/work")
            .WithBind("/tmp/run", "/run/kshim")
            .WithBind("/srv/kernel", "/kernel", readOnly: true)
            .WithDevice("/dev/null", "/dev/zap")
            .WithLabel("org.example.role", "qemu")
            .WithNamePrefix("kshim-vm")
            .WithStdin()
            .Build();

        Assert.Multiple(() =>
        {
            Assert.That(spec.Command, Is.EqualTo(new[] { "qemu-system-x86_64", "-nodefaults" }));
            Assert.That(spec.Entrypoint, Is.EqualTo(new[] { "/bin/sh", "-c" }));
            Assert.That(spec.Environment["A"], Is.EqualTo("1"));
            Assert.That(spec.WorkingDirectory, Is.EqualTo("/work"));
            Assert.That(spec.Binds.Select(b => b.ToDockerBind()),
                Is.EqualTo(new[] { "/tmp/run:/run/kshim", "/srv/kernel:/kernel:ro" }));
            Assert.That(spec.Devices.Single(), Is.EqualTo(new ContainerDevice("/dev/null", "/dev/zap")));
            Assert.That(spec.Labels["org.example.role"], Is.EqualTo("qemu"));
            Assert.That(spec.NamePrefix, Is.EqualTo("kshim-vm"));
            Assert.That(spec.OpenStdin, Is.True);
        });
    }

    [Test]
    public void WithCommand_replaces_an_earlier_command()
    {
        var spec = new ContainerSpecBuilder().WithImage("img").WithCommand("a").WithCommand("b", "c").Build();
        Assert.That(spec.Command, Is.EqualTo(new[] { "b", "c" }));
    }

    [Test]
    public void The_spec_is_a_snapshot_of_the_builder()
    {
        var builder = new ContainerSpecBuilder().WithImage("img").WithBind("/a", "/a");
        var first = builder.Build();
        builder.WithBind("/b", "/b").WithLabel("x", "y");

        Assert.That(first.Binds, Has.Count.EqualTo(1));
        Assert.That(first.Labels, Is.Empty);
    }

    [Test]
    public void Kvm_is_passed_only_when_asked()
    {
        var without = new ContainerSpecBuilder().WithImage("img").Build();
        var with = new ContainerSpecBuilder().WithImage("img").WithKvm().Build();

        Assert.That(without.AllDevices.Select(d => d.HostPath), Has.No.Member("/dev/kvm"));
        Assert.That(with.AllDevices.Select(d => d.HostPath), Is.EqualTo(new[] { "/dev/kvm" }));
    }

    [Test]
    public void Kvm_is_not_doubled_when_also_listed_as_a_device()
    {
        var spec = new ContainerSpecBuilder().WithImage("img").WithDevice("/dev/kvm").WithKvm().Build();
        Assert.That(spec.AllDevices.Count(d => d.ContainerPath == "/dev/kvm"), Is.EqualTo(1));
    }

    [Test]
    public void Create_request_carries_session_labels_network_none_and_kvm_only_when_asked()
    {
        var session = new HarnessSession(Guid.NewGuid(), new OwnerIdentity(4242, 99, "boot", "host"));
        var plain = ContainerParameters.From(
            new ContainerSpecBuilder().WithImage("img").WithLabel("k", "v").WithCommand("true").Build(), session, "kshim-x-1");
        var kvm = ContainerParameters.From(
            new ContainerSpecBuilder().WithImage("img").WithKvm().Build(), session, "kshim-x-2");

        Assert.Multiple(() =>
        {
            Assert.That(plain.Name, Is.EqualTo("kshim-x-1"));
            Assert.That(plain.Labels[KernelShimLabels.Session], Is.EqualTo(session.Id.ToString()));
            Assert.That(plain.Labels[KernelShimLabels.OwnerPid], Is.EqualTo("4242"));
            Assert.That(plain.Labels[KernelShimLabels.OwnerStart], Is.EqualTo("99"));
            Assert.That(plain.Labels["k"], Is.EqualTo("v"));
            Assert.That(plain.HostConfig!.NetworkMode, Is.EqualTo("none"));
            Assert.That(plain.HostConfig!.Devices, Is.Empty);
            Assert.That(plain.Cmd, Is.EqualTo(new[] { "true" }));
            Assert.That(plain.Tty, Is.False);
            Assert.That(kvm.HostConfig!.Devices.Select(d => d.PathOnHost), Is.EqualTo(new[] { "/dev/kvm" }));
            Assert.That(kvm.Cmd, Is.Null, "an empty command leaves the image's CMD");
        });
    }

    [Test]
    public void Build_without_an_image_fails()
    {
        Assert.That(() => new ContainerSpecBuilder().Build(),
            Throws.InvalidOperationException.With.Message.Contains("image"));
    }

    [TestCase("relative/path", "/in")]
    [TestCase("/host", "relative")]
    [TestCase("/host:x", "/in")]
    public void Build_rejects_bad_bind_paths(string host, string container)
    {
        Assert.That(() => new ContainerSpecBuilder().WithImage("img").WithBind(host, container).Build(),
            Throws.InvalidOperationException);
    }

    [TestCase("")]
    [TestCase("-leading-dash")]
    [TestCase("has space")]
    [TestCase("slash/inside")]
    public void Build_rejects_bad_name_prefixes(string prefix)
    {
        Assert.That(() => new ContainerSpecBuilder().WithImage("img").WithNamePrefix(prefix).Build(),
            Throws.InvalidOperationException);
    }

    [TestCase(KernelShimLabels.Session)]
    [TestCase(KernelShimLabels.OwnerPid)]
    [TestCase(KernelShimLabels.OwnerStart)]
    public void The_harness_labels_cannot_be_set_by_a_spec(string key)
    {
        Assert.That(() => new ContainerSpecBuilder().WithLabel(key, "1"), Throws.ArgumentException);
    }
}
