using System.Diagnostics;
using KernelShim.Harness;
using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// The uvmshim module builds against every NetBSD sys tree listed in
/// KSHIM_COMPILE_SYS (colon-separated), each in a fresh build directory,
/// with native/kmod's own rules: -Werror, the PLT32 rewrite checked with
/// readelf, and check-abi (the ABI assertions hold and a wrong ioctl number
/// is refused).  Nothing is booted; skipped, naming the variable, without it.
/// Category NetBSDSets: it uses every tree at once, so it runs once per test
/// run rather than once per kernel set.
/// </summary>
[TestFixture, Category("NetBSDSets")]
public class KmodCompileTests
{
    public const string Variable = "KSHIM_COMPILE_SYS";

    [Test]
    public void TheModuleCompilesAgainstEverySysTree()
    {
        var list = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(list))
            Assert.Ignore($"{Variable} is not set: list NetBSD sys trees to compile uvmshim against, e.g. {Variable}=/a/sys:/b/sys");
        var trees = list.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var work = Directory.CreateTempSubdirectory("kshim-kmodc-").FullName;
        try
        {
            Assert.Multiple(() =>
            {
                for (int i = 0; i < trees.Length; i++)
                    CompileOne(trees[i], Path.Combine(work, i.ToString()));
            });
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    private static void CompileOne(string tree, string build)
    {
        SysTree sys;
        try { sys = SysTree.Open(tree); }
        catch (NetBsdInputException e) { Assert.Fail(e.Message); return; }
        var (exit, output) = Make(sys.Path, build);
        var kmod = Path.Combine(build, "uvmshim.kmod");
        // The raw value: NetBsdVersion prints 9.99.100 (999010000) as 9.99.0.
        var name = $"__NetBSD_Version__ {sys.Version.Value} at {sys.Path}";
        TestContext.Out.WriteLine($"{name}: exit {exit}");
        var why = $"{name}:\n{output}";
        Assert.That(exit, Is.Zero, why);
        Assert.That(output, Does.Not.Contain("error:").And.Not.Contain("warning:"), why);
        Assert.That(File.Exists(kmod), Is.True, why);
        Assert.That(output, Does.Contain("no PLT32").And.Contain("a wrong ioctl number is refused"), why);
    }

    private static (int Exit, string Output) Make(string sys, string build)
    {
        var psi = new ProcessStartInfo("make")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var a in new[] { "-s", "-C", "native/kmod", $"NETBSD_SYS={sys}", $"BUILD={build}", "all", "check-abi" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot run make");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
