using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.NetBsd;

/// <summary>A cached guest build stands for the content of the headers it compiled, not only their tree's path.</summary>
[TestFixture, Category("Unit")]
public class HeaderManifestTests
{
    [Test]
    public void AHeaderEditedInPlaceMakesTheCachedBuildStale()
    {
        var root = Directory.CreateTempSubdirectory("kshim-manifest-").FullName;
        try
        {
            var sys = Directory.CreateDirectory(Path.Combine(root, "sys", "uvm")).FullName;
            var header = Path.Combine(sys, "uvm_map.h");
            File.WriteAllText(header, "struct vm_map { int a; };\n");
            var build = Directory.CreateDirectory(Path.Combine(root, "key.123.tmp", "obj")).FullName;
            var inBuild = Path.Combine(root, "key.123.tmp", "include.h");
            File.WriteAllText(inBuild, "/* a link in the build directory */\n");
            File.WriteAllText(Path.Combine(build, "x.d"), $"/r/x.o: /r/x.c \\\n {header} \\\n {inBuild}\n{header}:\n");
            int n = HeaderManifest.Write(Path.Combine(root, "key.123.tmp"), Path.Combine(root, "key"), "/r");
            Directory.Move(Path.Combine(root, "key.123.tmp"), Path.Combine(root, "key"));

            Assert.That(n, Is.EqualTo(2), "both headers, each once; the repository's sources are keyed already");
            Assert.That(HeaderManifest.FirstChanged(Path.Combine(root, "key")), Is.Null, "paths in the build directory follow it when it is renamed");
            File.WriteAllText(header, "struct vm_map { int a; void *parked; int nparked; };\n");
            Assert.That(HeaderManifest.FirstChanged(Path.Combine(root, "key")), Is.EqualTo($"{header} changed"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
