using System.Formats.Tar;
using System.IO.Compression;
using KernelShim.Harness.Inputs;
using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Inputs;

[TestFixture, Category("Unit")]
public class ReleaseInputsTests
{
    private string _dir = "";

    [SetUp]
    public void Dir() => _dir = Directory.CreateTempSubdirectory("kshim-rel-").FullName;

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void TheShippedManifestIsWellFormedAndInventsNoChecksum()
    {
        var releases = ReleaseManifest.Load(ReleaseManifest.DefaultPath);
        Assert.That(releases.Select(r => r.Version), Does.Contain("10.1").And.Contain("9.4"));
        foreach (var r in releases)
        {
            Assert.That(new NetBsdVersion(r.NetBsdVersion).ToString(), Is.EqualTo(r.Version));
            Assert.That(r.Kernel.Url, Does.StartWith("https://").And.Contain($"NetBSD-{r.Version}/amd64/"));
            Assert.That(r.SysSrc.Url, Does.EndWith("/source/sets/syssrc.tgz"));
        }
        Assert.That(Assert.Throws<NetBsdInputException>(() => ReleaseManifest.Find(releases, "1.0"))!.Message, Does.Contain("known:"));
    }

    [Test]
    public void AMalformedChecksumIsRejected()
    {
        var path = Path.Combine(_dir, "m.json");
        File.WriteAllText(path, """{"releases":[{"version":"10.1","netbsd_version":1001000000,"kernel":{"name":"k","url":"https://x/k","sha512":"abc"},"syssrc":{"name":"s","url":"https://x/s","sha512":""}}]}""");
        Assert.That(Assert.Throws<InvalidDataException>(() => ReleaseManifest.Load(path))!.Message, Does.Contain("128 hex digits"));
    }

    private string Tgz(bool withSys, bool truncate = false)
    {
        var src = Path.Combine(_dir, "src");
        var param = Path.Combine(src, withSys ? "usr/src/sys/sys" : "usr/src/other", "param.h");
        Directory.CreateDirectory(Path.GetDirectoryName(param)!);
        File.WriteAllText(param, "#define\t__NetBSD_Version__\t1001000000\n");
        foreach (var h in withSys ? SysTree.RequiredHeaders : [])
        {
            var f = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(param)!)!, h);
            Directory.CreateDirectory(Path.GetDirectoryName(f)!);
            File.WriteAllText(f, "/* fake */\n");
        }
        var tgz = Path.Combine(_dir, $"syssrc-{withSys}-{truncate}.tgz");
        using (var gz = new GZipStream(File.Create(tgz), CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(src, gz, includeBaseDirectory: false);
        Directory.Delete(src, recursive: true);
        if (truncate)
        {
            var b = File.ReadAllBytes(tgz);
            File.WriteAllBytes(tgz, b[..(b.Length / 2)]);
        }
        return tgz;
    }

    [Test]
    public void ASyssrcSetUnpacksIntoASysTreeOnce()
    {
        var cache = Path.Combine(_dir, "cache");
        var sys = SysSourceArchive.Unpack(Tgz(withSys: true), cache);
        Assert.That(SysTree.Open(sys).Version.Value, Is.EqualTo(1001000000));
        Assert.That(SysSourceArchive.Unpack(Directory.GetFiles(_dir, "*.tgz")[0], cache), Is.EqualTo(sys));
    }

    [Test]
    public void ABrokenOrForeignArchiveIsRefusedAndLeavesNothing()
    {
        var cache = Path.Combine(_dir, "cache");
        Assert.That(Assert.Throws<NetBsdInputException>(() => SysSourceArchive.Unpack(Tgz(withSys: false), cache))!.Message,
            Does.Contain("no usr/src/sys"));
        Assert.That(Assert.Throws<NetBsdInputException>(() => SysSourceArchive.Unpack(Tgz(withSys: true, truncate: true), cache))!.Message,
            Does.Contain("not a readable syssrc.tgz"));
        Assert.That(Directory.Exists(cache) ? Directory.GetDirectories(cache) : [], Is.Empty);
    }
}
