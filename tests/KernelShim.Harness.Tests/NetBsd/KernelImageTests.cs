using System.Diagnostics;
using System.IO.Compression;
using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.NetBsd;

/// <summary>
/// Kernel and sys-tree inputs, on real files: small NetBSD/amd64 ELF
/// executables linked here by clang with the same note and symbol a kernel
/// has, and sys trees with a real-shaped param.h.
/// </summary>
[TestFixture, Category("Unit")]
public class KernelImageTests
{
    private string _dir = "";

    [SetUp]
    public void Dir() => _dir = Directory.CreateTempSubdirectory("kshim-kimg-").FullName;

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    /// <summary>Link a fake kernel: osrelease and a .note.netbsd.ident for <paramref name="version"/>.</summary>
    private string FakeKernel(int version, string osrelease, bool note = true)
    {
        var c = Path.Combine(_dir, "k.c");
        File.WriteAllText(c, $$"""
            const char osrelease[] = "{{osrelease}}";
            struct ident { unsigned namesz, descsz, type; char name[8]; int desc; };
            {{(note ? "__attribute__((section(\".note.netbsd.ident\"), aligned(4), used)) static const struct ident ident = { 7, 4, 1, \"NetBSD\", " + version + " };" : "")}}
            void _start(void) { for (;;) ; }
            """);
        var elf = Path.Combine(_dir, $"netbsd-{version}-{note}");
        var p = Process.Start(new ProcessStartInfo("clang",
            ["--target=x86_64-unknown-netbsd", "-nostdlib", "-static", "-fuse-ld=lld", "-o", elf, c]) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, err);
        return elf;
    }

    private string SysTreeOf(int version)
    {
        var sys = Path.Combine(_dir, $"sys-{version}", "sys");
        Directory.CreateDirectory(sys);
        File.WriteAllText(Path.Combine(sys, "param.h"), $"/* fake */\n#define\t__NetBSD_Version__\t{version}\t/* NetBSD */\n");
        var root = Path.GetDirectoryName(sys)!;
        foreach (var h in SysTree.RequiredHeaders)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, h))!);
            File.WriteAllText(Path.Combine(root, h), "/* fake */\n");
        }
        return root;
    }

    [Test]
    public void ReadsVersionAndOsreleaseFromTheElf()
    {
        var k = KernelImage.Inspect(FakeKernel(1000000000, "10.0"), Path.Combine(_dir, "cache"));
        Assert.That((k.Version.Value, k.OsRelease, k.HasPvhNote), Is.EqualTo((1000000000, "10.0", false)));
        Assert.That(k.Version.ToString(), Is.EqualTo("10.0"));
    }

    [Test]
    public void AGzippedKernelIsDecompressedIntoTheCacheOnce()
    {
        var plain = FakeKernel(903000000, "9.3");
        var gz = plain + ".gz";
        using (var o = new GZipStream(File.Create(gz), CompressionLevel.Fastest)) File.OpenRead(plain).CopyTo(o);
        var cache = Path.Combine(_dir, "cache");
        var k = KernelImage.Inspect(gz, cache);
        Assert.That(k.OsRelease, Is.EqualTo("9.3"));
        Assert.That(k.Path, Does.StartWith(cache));
        Assert.That(File.ReadAllBytes(k.Path), Is.EqualTo(File.ReadAllBytes(plain)));
    }

    [Test]
    public void ATruncatedGzipIsRefusedAndLeavesNothingInTheCache()
    {
        var plain = FakeKernel(903000000, "9.3");
        var gz = plain + ".gz";
        using (var o = new GZipStream(File.Create(gz), CompressionLevel.NoCompression)) File.OpenRead(plain).CopyTo(o);
        var bytes = File.ReadAllBytes(gz);
        File.WriteAllBytes(gz, bytes[..(bytes.Length / 2)]);
        var cache = Path.Combine(_dir, "cache");
        var e = Assert.Throws<NetBsdInputException>(() => KernelImage.Inspect(gz, cache));
        Assert.That(e!.Message, Does.Contain("gzip"));
        Assert.That(Directory.Exists(cache) ? Directory.GetFiles(cache) : [], Is.Empty);
    }

    [Test]
    public void NotAKernelSaysWhy()
    {
        var text = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(text, "hello");
        Assert.That(Assert.Throws<NetBsdInputException>(() => KernelImage.Inspect(text, _dir))!.Message, Does.Contain("neither an ELF"));
        Assert.That(Assert.Throws<NetBsdInputException>(() => KernelImage.Inspect(FakeKernel(0, "x", note: false), _dir))!.Message,
            Does.Contain("not a NetBSD kernel"));
        Assert.That(Assert.Throws<NetBsdInputException>(() => KernelImage.Inspect(Path.Combine(_dir, "missing"), _dir))!.Message,
            Does.Contain("no kernel at"));
    }

    [Test]
    public void SysTreeMatchingFollowsTheModuleLoadersRule()
    {
        var k93 = KernelImage.Inspect(FakeKernel(903000000, "9.3"), _dir);
        SysTree.Open(SysTreeOf(903000000)).CheckMatches(k93);
        var wrong = Assert.Throws<NetBsdInputException>(() => SysTree.Open(SysTreeOf(1000000000)).CheckMatches(k93));
        Assert.That(wrong!.Message, Does.Contain("NetBSD 9.3").And.Contain("10.0"));

        var current = KernelImage.Inspect(FakeKernel(799000400, "7.99.4"), _dir);
        SysTree.Open(SysTreeOf(799000400)).CheckMatches(current);
        Assert.That(Assert.Throws<NetBsdInputException>(() => SysTree.Open(SysTreeOf(799000500)).CheckMatches(current))!.Message,
            Does.Contain("-current"));
    }

    [Test]
    public void ATruncatedElfIsAnInputErrorSayingSo()
    {
        var plain = FakeKernel(903000000, "9.3");
        var bytes = File.ReadAllBytes(plain);
        var cut = Path.Combine(_dir, "cut");
        File.WriteAllBytes(cut, bytes[..200]);
        Assert.That(Assert.Throws<NetBsdInputException>(() => KernelImage.Inspect(cut, _dir))!.Message,
            Does.Contain("truncated or corrupt ELF").Or.Contain("unreadable ELF"));
        // Gzipped, whole gzip, truncated ELF inside: the same, and nothing stays in the cache.
        var gz = Path.Combine(_dir, "cut.gz");
        using (var o = new GZipStream(File.Create(gz), CompressionLevel.Fastest)) o.Write(bytes[..200]);
        var cache = Path.Combine(_dir, "cache-cut");
        Assert.That(Assert.Throws<NetBsdInputException>(() => KernelImage.Inspect(gz, cache))!.Message,
            Does.Contain("truncated or corrupt ELF").Or.Contain("unreadable ELF"));
        Assert.That(Directory.GetFiles(cache), Is.Empty);
    }

    [Test]
    public void AGzipOfSomethingElseSaysItIsGzippedAndLeavesNothing()
    {
        var gz = Path.Combine(_dir, "junk.gz");
        using (var o = new GZipStream(File.Create(gz), CompressionLevel.Fastest)) o.Write(System.Text.Encoding.ASCII.GetBytes("not a kernel at all"));
        var cache = Path.Combine(_dir, "cache-junk");
        Assert.That(Assert.Throws<NetBsdInputException>(() => KernelImage.Inspect(gz, cache))!.Message,
            Is.EqualTo($"{gz} is gzipped, but what it holds is not an ELF file"));
        Assert.That(Directory.GetFiles(cache), Is.Empty);
    }

    [Test]
    public void AGzippedKernelIsNamedByTheUsersFile()
    {
        var plain = FakeKernel(903000000, "9.3");
        var gz = Path.Combine(_dir, "netbsd-GENERIC.gz");
        using (var o = new GZipStream(File.Create(gz), CompressionLevel.Fastest)) File.OpenRead(plain).CopyTo(o);
        var k = KernelImage.Inspect(gz, Path.Combine(_dir, "cache"));
        Assert.That(k.ToString(), Does.Contain("netbsd-GENERIC.gz").And.Not.Contain("kernel-"));
        Assert.That(k.Source, Is.EqualTo(gz));
    }

    [Test]
    public void ASysTreeWithParamHButNotTheRestIsAnInputError()
    {
        var sys = SysTreeOf(1000000000);
        File.Delete(Path.Combine(sys, "sys", "syscall.h"));
        Assert.That(Assert.Throws<NetBsdInputException>(() => SysTree.Open(sys))!.Message,
            Does.Contain("incomplete sys tree: no sys/syscall.h"));
    }

    [Test]
    public void SysTreeAcceptsSysOrItsParentAndRejectsOthers()
    {
        var sys = SysTreeOf(1000000000);
        Assert.That(SysTree.Open(sys).Version.Value, Is.EqualTo(1000000000));
        Directory.CreateDirectory(Path.Combine(_dir, "src"));
        Directory.Move(sys, Path.Combine(_dir, "src", "sys"));
        Assert.That(SysTree.Open(Path.Combine(_dir, "src")).Path, Does.EndWith("src/sys"));
        Assert.That(Assert.Throws<NetBsdInputException>(() => SysTree.Open(_dir))!.Message, Does.Contain("not a NetBSD sys tree"));
    }
}
