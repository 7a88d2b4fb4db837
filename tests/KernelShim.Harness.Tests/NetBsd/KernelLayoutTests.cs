using System.Diagnostics;
using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.NetBsd;

/// <summary>
/// The layout comparison on real ELF files compiled here by clang: a probe
/// object as native/kmod/probe/layout.c makes it, and a "kernel" holding a
/// static object of the same name (as uvm_km.c's kernel_map_store is static).
/// </summary>
[TestFixture, Category("Unit")]
public class KernelLayoutTests
{
    private string _dir = "";

    [SetUp]
    public void Dir() => _dir = Directory.CreateTempSubdirectory("kshim-layout-test-").FullName;

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    private string Compile(string name, string source, bool link)
    {
        var c = Path.Combine(_dir, name + ".c");
        File.WriteAllText(c, source);
        var output = Path.Combine(_dir, name + (link ? "" : ".o"));
        string[] args = link
            ? ["--target=x86_64-unknown-netbsd", "-nostdlib", "-static", "-fuse-ld=lld", "-fno-common", "-o", output, c]
            : ["--target=x86_64-unknown-netbsd", "-fno-common", "-c", "-o", output, c];
        var p = Process.Start(new ProcessStartInfo("clang", args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, err);
        return output;
    }

    private string Probe(int vmMap) => Compile("probe", $$"""
        struct vm_map { char bytes[{{vmMap}}]; };
        #define LAYOUT(type, ksym) type kshim_layout_##ksym; const char kshim_layout_type_##ksym[] = #type
        LAYOUT(struct vm_map, kernel_map_store);
        LAYOUT(long, lbolt);
        LAYOUT(int, only_in_probe);
        """, link: false);

    private string Kernel(int vmMap) => Compile("kernel", $$"""
        struct vm_map { char bytes[{{vmMap}}]; };
        __attribute__((used)) static struct vm_map kernel_map_store;
        long lbolt;
        void _start(void) { for (;;) ; }
        """, link: true);

    [Test]
    public void SizesThatAgreeMatchAndAMissingKernelSymbolIsSaidNotChecked()
    {
        var checks = KernelLayout.Compare(Probe(264), Kernel(264));
        Assert.That(checks.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "struct vm_map 264 bytes, kernel's kernel_map_store 264",
            "long 8 bytes, kernel's lbolt 8",
            "int 4 bytes, kernel has no only_in_probe to compare",
        }));
        Assert.That(checks.All(c => c.Matches), Is.True);
    }

    [Test]
    public void ALargerStructInTheKernelDoesNotMatch()
    {
        // Thorpe's patch: 16 bytes more in struct vm_map than the stock headers give.
        var bad = KernelLayout.Compare(Probe(264), Kernel(280)).Single(c => !c.Matches);
        Assert.That((bad.Type, bad.KernelSymbol, bad.SysSize, bad.KernelSize), Is.EqualTo(("struct vm_map", "kernel_map_store", 264UL, (ulong?)280)));
    }
}
