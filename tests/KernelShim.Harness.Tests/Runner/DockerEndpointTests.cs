using KernelShim.Harness.Machine;
using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

/// <summary>DOCKER_HOST-style endpoint URLs and the transfer mode each one gets.</summary>
[TestFixture, Category("Unit")]
public sealed class DockerEndpointTests
{
    private static readonly Version Api = new(1, 41);

    [TestCase("unix:///var/run/docker.sock", "unix:///var/run/docker.sock", TransferMode.Bind)]
    [TestCase("unix:///var/run/kshim-docker-2.sock", "unix:///var/run/kshim-docker-2.sock", TransferMode.Bind)]
    [TestCase("tcp://127.0.0.1:23752", "tcp://127.0.0.1:23752", TransferMode.Copy)]
    [TestCase("tcp://build-host.example:2376/", "tcp://build-host.example:2376", TransferMode.Copy)]
    [TestCase("  tcp://[::1]:2375 ", "tcp://[::1]:2375", TransferMode.Copy)]
    public void Local_sockets_bind_and_everything_else_copies(string url, string address, TransferMode mode)
    {
        var endpoint = DockerEndpoint.Parse(url, Api);
        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Address, Is.EqualTo(address));
            Assert.That(endpoint.Transfer, Is.EqualTo(mode));
            Assert.That(endpoint.ApiVersion, Is.EqualTo(Api));
            Assert.That(endpoint.Url, Is.EqualTo(address), "the default mode is not spelled out");
        });
    }

    [TestCase("tcp://127.0.0.1:23752?transfer=bind", TransferMode.Bind)]
    [TestCase("unix:///var/run/docker.sock?transfer=copy", TransferMode.Copy)]
    [TestCase("tcp://127.0.0.1:23752?transfer=copy", TransferMode.Copy)]
    public void A_query_parameter_overrides_the_mode(string url, TransferMode mode)
    {
        var endpoint = DockerEndpoint.Parse(url, Api);
        Assert.That(endpoint.Transfer, Is.EqualTo(mode));
        Assert.That(endpoint.Uri.Query, Is.Empty, "the client never sees the parameter");
        Assert.That(DockerEndpoint.Parse(endpoint.Url, Api), Is.EqualTo(endpoint), "Url round-trips");
    }

    [Test]
    public void A_record_made_without_parse_gets_the_default_of_its_scheme()
    {
        Assert.That(new DockerEndpoint(new Uri("unix:///run/d.sock"), Api).Transfer, Is.EqualTo(TransferMode.Bind));
        Assert.That(new DockerEndpoint(new Uri("tcp://h:1"), Api).Transfer, Is.EqualTo(TransferMode.Copy));
        Assert.That(DockerEndpoint.Local.Transfer, Is.EqualTo(TransferMode.Bind));
    }

    [TestCase("", "empty")]
    [TestCase("/var/run/docker.sock", "not a Docker endpoint URL")]
    [TestCase("localhost:2375", "not a Docker endpoint URL")]
    [TestCase("unix://var/run/docker.sock", "absolute socket path")]
    [TestCase("unix://", "absolute socket path")]
    [TestCase("tcp://", "needs a host")]
    [TestCase("tcp://10.0.0.7", "needs a port")]
    [TestCase("tcp://me@host:2375", "no user")]
    [TestCase("tcp://host:2375/v1.41", "no path")]
    [TestCase("ssh://me@host", "ssh:// endpoints are not supported")]
    [TestCase("npipe:////./pipe/docker_engine", "npipe://")]
    [TestCase("http://host:2375", "write tcp://host:2375;")]
    [TestCase("https://host:2376", "TLS is not supported")]
    [TestCase("fd://", "unsupported scheme fd://")]
    [TestCase("tcp://host:2375?transfer=rsync", "expected bind or copy")]
    [TestCase("tcp://host:2375?tls=1", "unknown parameter 'tls'")]
    [TestCase("tcp://host:2375#x", "no user or #fragment")]
    public void Anything_else_is_refused_saying_what_is_accepted(string url, string says)
    {
        var error = Assert.Throws<DockerEndpointFormatException>(() => DockerEndpoint.Parse(url, Api));
        Assert.That(error!.Message, Does.Contain(says));
        if (!url.Contains('?'))
            Assert.That(error.Message, Does.Contain("unix:///path/to/docker.sock or tcp://host:port"));
    }

    [Test]
    public void The_backend_name_says_where_and_how()
    {
        using var copy = new DockerRunner(DockerEndpoint.Parse("tcp://127.0.0.1:23752", Api), reapStale: false);
        using var bind = new DockerRunner(DockerEndpoint.Parse("unix:///var/run/docker.sock", Api), reapStale: false);
        Assert.That(new DockerQemuBackend(copy, "kshim-runner:x").Name, Is.EqualTo("docker kshim-runner:x at tcp://127.0.0.1:23752, copy"));
        Assert.That(new DockerQemuBackend(bind, "kshim-runner:x").Name, Is.EqualTo("docker kshim-runner:x at unix:///var/run/docker.sock, bind"));
    }
}
