using System.Security.Cryptography;
using KernelShim.Harness.Inputs;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Inputs;

/// <summary>Download, verify, cache, resume and every failure, against a real HTTP server on 127.0.0.1.</summary>
[TestFixture, Category("Unit"), NonParallelizable]
public class FetcherTests
{
    private static readonly byte[] Payload = RandomNumberGenerator.GetBytes(300_000);
    private static readonly string Sum = Convert.ToHexStringLower(SHA512.HashData(Payload));
    private LocalHttpServer _server = null!;
    private string _cache = "";

    /// <summary>
    /// Retries without waiting, and a stall timeout far beyond any pause a busy
    /// machine makes on loopback: only the stall test (a server that sleeps 5 s)
    /// uses a short one, so no other test can fail for a slow scheduler.
    /// </summary>
    private static readonly FetchOptions Patient = new() { StallTimeout = TimeSpan.FromSeconds(30), RetryDelay = TimeSpan.FromMilliseconds(10), Attempts = 3 };
    private static readonly FetchOptions Quick = Patient with { StallTimeout = TimeSpan.FromMilliseconds(500) };

    [SetUp]
    public void Start()
    {
        _server = new LocalHttpServer(Payload);
        _cache = Directory.CreateTempSubdirectory("kshim-fetch-").FullName;
    }

    [TearDown]
    public void Stop()
    {
        _server.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    private Fetcher F(FetchOptions? o = null) => new(_cache, o ?? Patient);

    private FetchException Fails(string path, string sum, FetchOptions? o = null) =>
        Assert.ThrowsAsync<FetchException>(() => F(o).FetchAsync(new Artifact("file", _server.Url(path), sum)))!;

    private void NothingLooksWhole() => Assert.That(File.Exists(Path.Combine(_cache, "file")), Is.False);

    [Test]
    public async Task VerifiedDownloadIsCachedAndNotFetchedAgain()
    {
        var path = await F().FetchAsync(new Artifact("file", _server.Url("ok"), Sum));
        Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(Payload));
        await F().FetchAsync(new Artifact("file", _server.Url("ok"), Sum));
        Assert.That(_server.Requests, Is.EqualTo(1));
        var offline = await F(Patient with { Offline = true }).FetchAsync(new Artifact("file", _server.Url("ok"), Sum));
        Assert.That(offline, Is.EqualTo(path));
    }

    [Test]
    public void WrongChecksumIsRefusedAndDeleted()
    {
        var e = Fails("ok", new string('0', 128));
        Assert.That(e.Kind, Is.EqualTo(FetchFailure.ChecksumMismatch));
        Assert.That(e.Message, Does.Contain("SHA-512 mismatch"));
        NothingLooksWhole();
        Assert.That(Directory.GetFiles(_cache), Is.Empty);
    }

    [Test]
    public void TruncatedTransfersAreRetriedThenReported()
    {
        var e = Fails("truncated", Sum);
        Assert.That(e.Kind, Is.EqualTo(FetchFailure.Truncated));
        Assert.That(e.Message, Does.Contain("after 3 attempts"));
        NothingLooksWhole();
    }

    [Test]
    public void AnInterruptedDownloadResumesWithARange()
    {
        var path = F().FetchAsync(new Artifact("file", _server.Url("flaky"), Sum)).GetAwaiter().GetResult();
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(Payload));
        Assert.That(_server.RangesSeen, Has.Some.StartsWith("bytes=").And.Not.EqualTo("bytes=0-"));
    }

    [Test]
    public void ASlowServerIsAStall()
    {
        var e = Fails("slow", Sum, Quick with { Attempts = 1 });
        Assert.That(e.Kind, Is.EqualTo(FetchFailure.Stalled));
        NothingLooksWhole();
    }

    [Test]
    public void NotFoundIsNotRetried()
    {
        var e = Fails("missing", Sum);
        Assert.That(e.Kind, Is.EqualTo(FetchFailure.NotFound));
        Assert.That(e.Message, Does.Contain("404"));
        Assert.That(_server.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task NoPinnedChecksumNeedsInsecure()
    {
        Assert.That(Fails("ok", "").Kind, Is.EqualTo(FetchFailure.NoChecksum));
        Assert.That(_server.Requests, Is.Zero, "refused before any traffic");
        var path = await F(Patient with { Insecure = true }).FetchAsync(new Artifact("file", _server.Url("ok"), ""));
        Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(Payload));
    }

    [Test]
    public void OfflineWithoutACachedCopyIsAnError()
    {
        var e = Fails("ok", Sum, Patient with { Offline = true });
        Assert.That(e.Kind, Is.EqualTo(FetchFailure.Offline));
        Assert.That(_server.Requests, Is.Zero);
    }
}
