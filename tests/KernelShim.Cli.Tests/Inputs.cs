using System.Diagnostics;
using System.IO.Compression;
using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.Cli.Tests;

/// <summary>Files users hand kshim, made in a temporary directory: kernels (real little NetBSD ELFs, cut, gzipped), sys trees, scenarios.</summary>
public sealed class Inputs : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("kshim-cli-").FullName;

    public string File(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A NetBSD/amd64 ELF with the ident note and osrelease a kernel has (linked by clang).</summary>
    public string Kernel(int version = 1099001200, string osrelease = "10.99.12")
    {
        var c = File("k.c", $$"""
            const char osrelease[] = "{{osrelease}}";
            struct ident { unsigned namesz, descsz, type; char name[8]; int desc; };
            __attribute__((section(".note.netbsd.ident"), aligned(4), used)) static const struct ident ident = { 7, 4, 1, "NetBSD", {{version}} };
            void _start(void) { for (;;) ; }
            """);
        var elf = Path.Combine(Dir, "netbsd");
        var p = Process.Start(new ProcessStartInfo("clang",
            ["--target=x86_64-unknown-netbsd", "-nostdlib", "-static", "-fuse-ld=lld", "-o", elf, c]) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, err);
        return elf;
    }

    public string Truncated(string path, int bytes)
    {
        var cut = path + ".cut";
        System.IO.File.WriteAllBytes(cut, System.IO.File.ReadAllBytes(path)[..bytes]);
        return cut;
    }

    public string Gzipped(string path)
    {
        var gz = path + ".gz";
        using var o = new GZipStream(System.IO.File.Create(gz), CompressionLevel.Fastest);
        using var i = System.IO.File.OpenRead(path);
        i.CopyTo(o);
        return gz;
    }

    /// <summary>A sys tree with param.h for <paramref name="version"/> and the headers kshim checks, less <paramref name="without"/>.</summary>
    public string SysTree(int version = 1099001200, string? without = null)
    {
        var root = Path.Combine(Dir, "sys");
        File("sys/sys/param.h", $"#define\t__NetBSD_Version__\t{version}\t/* NetBSD */\n");
        foreach (var h in Harness.NetBsd.SysTree.RequiredHeaders.Where(h => h != without))
            File(Path.Combine("sys", h), "/* fake */\n");
        return root;
    }

    public string Scenario(string dir, string name, string body) =>
        File(Path.Combine(dir, name + ".yaml"), $"scenario: {name}\ndescription: test\ncases:\n{body}");

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
