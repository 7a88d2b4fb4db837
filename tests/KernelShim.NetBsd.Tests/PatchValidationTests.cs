using System.Diagnostics;
using KernelShim.Harness;
using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// The acceptance case of `kshim validate`: Thorpe's 2004 PR 24039 patch on
/// 10.99.12 (KSHIM_PATCHED_KERNEL, KSHIM_PATCHED_SYS: its struct vm_map is
/// larger, so it has its own sys tree) against the stock kernel (KSHIM_KERNEL,
/// KSHIM_SYS).  Through the kshim command itself, for its verdict lines and
/// exit codes; the merge, split and pr24039 scenarios, one run each (time is
/// not the point).  Skipped, naming what is missing, without the four inputs.
/// Category NetBSDSets: it uses two kernel sets at once, so it runs once per
/// test run, not once per set.
/// </summary>
[TestFixture, Category("NetBSDSets")]
public class PatchValidationTests
{
    private const string Filter = "pr24039/,merge/,split/";

    private static (string Kernel, string Sys, string PatchedKernel, string PatchedSys) Inputs()
    {
        string[] names = ["KSHIM_KERNEL", "KSHIM_SYS", "KSHIM_PATCHED_KERNEL", "KSHIM_PATCHED_SYS"];
        var values = names.Select(n => Environment.GetEnvironmentVariable(n) is { Length: > 0 } v ? v : null).ToArray();
        var missing = names.Where((_, i) => values[i] is null).ToList();
        if (missing.Count > 0)
            Assert.Ignore($"patch validation needs a stock and a patched kernel with their sys trees: {string.Join(", ", missing)} not set");
        return (values[0]!, values[1]!, values[2]!, values[3]!);
    }

    private static (int Exit, string[] Lines) Kshim(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "kshim")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "400";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (p.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
            TestContext.Progress.WriteLine(line);
        }
        p.WaitForExit();
        TestContext.Out.WriteLine(err.Result);
        // An error is one line on stderr ("kshim: input error: ..."): it counts as a line too.
        lines.AddRange(err.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return (p.ExitCode, [.. lines]);
    }

    private static string CaseLine(string[] lines, string id) =>
        lines.SingleOrDefault(l => l.StartsWith($"CASE {id}: ", StringComparison.Ordinal)) ?? $"(no CASE line for {id})";

    [Test]
    public void ThorpesPatchAgainstStockIsFixedWithMergesAndEntriesTheSame()
    {
        var (k, s, pk, ps) = Inputs();
        var (exit, lines) = Kshim("validate", "--baseline", k, "--baseline-sys", s, "--patched", pk, "--patched-sys", ps,
            "--filter", Filter, "--repeat", "1", "--report", Directory.CreateTempSubdirectory("kshim-validate-").FullName);

        Assert.That(lines, Has.Some.StartsWith("VERDICT FIXED: "), string.Join("\n", lines.TakeLast(40)));
        Assert.That(exit, Is.Zero, "nothing regressed: a fix exits 0");
        Assert.That(CaseLine(lines, "pr24039/cycle[default]"), Does.StartWith("CASE pr24039/cycle[default]: FIXED: REPRODUCED -> NOT REPRODUCED"));
        Assert.That(CaseLine(lines, "pr24039/cycle[nomerge]"), Does.StartWith("CASE pr24039/cycle[nomerge]: SAME: PASSED -> PASSED"));
        var mergeAndSplit = lines.Where(l => l.StartsWith("CASE merge/", StringComparison.Ordinal) || l.StartsWith("CASE split/", StringComparison.Ordinal)).ToList();
        Assert.That(mergeAndSplit, Has.Count.EqualTo(2 * (6 + 8)), "every merge and split case under default and nomerge");
        Assert.That(mergeAndSplit.Where(l => l.Contains(": REGRESSION: ") || l.Contains(": FIXED: ")), Is.Empty);
        Assert.That(mergeAndSplit.Where(l => l.Contains("(entries ") || l.Contains("; entries ") || l.Contains("merges ") || l.Contains("peak entries ")), Is.Empty,
            "merges and entry counts are the same with the patch");
        Assert.That(lines, Has.Some.StartsWith("timing: no timing claims: 1 run(s) per kernel"));
    }

    [Test]
    public void StockAgainstThorpesPatchIsARegression()
    {
        var (k, s, pk, ps) = Inputs();
        var (exit, lines) = Kshim("validate", "--baseline", pk, "--baseline-sys", ps, "--patched", k, "--patched-sys", s,
            "--filter", "pr24039/", "--repeat", "1", "--report", Directory.CreateTempSubdirectory("kshim-validate-").FullName);

        Assert.That(lines, Has.Some.StartsWith("VERDICT REGRESSION: "), string.Join("\n", lines.TakeLast(40)));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(CaseLine(lines, "pr24039/cycle[default]"), Does.StartWith("CASE pr24039/cycle[default]: REGRESSION: NOT REPRODUCED -> REPRODUCED")
            .And.Contain("PR kern/24039 appears"));
    }

    [Test]
    public void ThorpesKernelWithTheStockSysTreeIsRefusedBeforeBoot()
    {
        var (_, s, pk, _) = Inputs();
        var (exit, lines) = Kshim("run", "--target", "qemu", "--kernel", $"thorpe={pk},{s}", "--filter", "pr24039/");

        Assert.That(exit, Is.EqualTo(2), string.Join("\n", lines));
        var refusal = lines.Where(l => l.StartsWith("kshim: input error: ", StringComparison.Ordinal)).ToList();
        Assert.That(refusal, Has.Count.EqualTo(1));
        Assert.That(refusal[0], Does.StartWith("kshim: input error: kernel and sys tree do not match: struct vm_map is ")
            .And.Contain("kernel_map_store"));
        Assert.That(lines, Has.None.Contains("slots:").And.None.Contains("building the guest agent"), "refused before anything was built or booted");
    }

    /// <summary>Every kernel of /work/nb with its own sys tree: the structures the module embeds match (no VM).</summary>
    [TestCase("KSHIM_KERNEL", "KSHIM_SYS")]
    [TestCase("KSHIM_PATCHED_KERNEL", "KSHIM_PATCHED_SYS")]
    [TestCase("KSHIM_OLD_KERNEL", "KSHIM_OLD_SYS")]
    public void EachKernelMatchesItsOwnSysTreeIncludingStructVmMap(string kernelVar, string sysVar)
    {
        if (Environment.GetEnvironmentVariable(kernelVar) is not { Length: > 0 } kernel || Environment.GetEnvironmentVariable(sysVar) is not { Length: > 0 } sys)
            { Assert.Ignore($"{kernelVar} and {sysVar} are not both set"); return; }
        var (info, tree) = NetBsdGuest.Inspect(new NetBsdInputs(kernel, sys), l => TestContext.Out.WriteLine(l));
        var checks = KernelLayout.CheckMatches(info, tree);
        Assert.That(checks.Single(c => c.KernelSymbol == "kernel_map_store").KernelSize, Is.Not.Null, "struct vm_map was compared with the kernel's own");
        Assert.That(checks.Where(c => !c.Matches), Is.Empty);
    }
}
