using System.Text.RegularExpressions;
using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.NetBsd;

/// <summary>
/// The guest build is cached by a hash of its source directories; a
/// directory the agent or the module compiles from that is not hashed
/// would leave a stale guest in the cache after a change there.
/// </summary>
[TestFixture, Category("Unit")]
public class GuestBuildKeyTests
{
    [TestCase("native/agent/Makefile", @"\$\(ROOT\)/(native/[a-z]+)")]
    [TestCase("native/kmod/Makefile", @"\$\(NATIVE\)/([a-z]+)")]
    public void EveryNativeDirectoryABuildReachesIsInTheKey(string makefile, string pattern)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, makefile));
        var reached = Regex.Matches(text, pattern).Select(m => m.Groups[1].Value)
            .Select(d => d.StartsWith("native/", StringComparison.Ordinal) ? d : "native/" + d)
            .Where(d => Directory.Exists(Path.Combine(RepoPaths.Root, d)))
            .Distinct().ToList();
        Assert.That(reached, Is.Not.Empty, $"no native directory found in {makefile}");
        Assert.That(GuestBuild.KeyedSourceDirs, Is.SupersetOf(reached));
    }
}
