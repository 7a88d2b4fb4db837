using KernelShim.Harness.Machine;
using NUnit.Framework;

namespace KernelShim.Cli.Tests;

/// <summary>
/// Every bad input of issue 14, fed to the built kshim as a user would: one line on stderr, no stack
/// trace, the documented exit code (2 input, 3 infrastructure).  None of these needs a Docker engine.
/// </summary>
[TestFixture, Category("Unit")]
public class InputErrorTests
{
    private Inputs _in = null!;
    private Dictionary<string, string?> _env = null!;

    [SetUp]
    public void Make()
    {
        _in = new Inputs();
        // Kernel caches go here, not into the user's ~/.cache; no kernel or sys tree from the environment.
        _env = new() { ["XDG_CACHE_HOME"] = Path.Combine(_in.Dir, "cache"), ["KSHIM_KERNEL"] = null, ["KSHIM_SYS"] = null };
    }

    [TearDown]
    public void Clean() => _in.Dispose();

    private KshimResult Run(params string[] args) => Kshim.Run(args, _env);

    private static void OneLine(KshimResult r, int exit, string says)
    {
        Assert.That(r.ExitCode, Is.EqualTo(exit), r.ToString());
        Assert.That(r.HasStackTrace, Is.False, r.ToString());
        Assert.That(r.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain(says), r.ToString());
    }

    private string Reports => Path.Combine(_in.Dir, "reports");

    [TestCase("image", "build")]
    [TestCase("boot", "--target", "testguest")]
    public void AnEngineThatDoesNotAnswerIsAnInfrastructureErrorNamingTheUrl(params string[] args)
    {
        _env["DOCKER_HOST"] = "tcp://127.0.0.1:1";
        var r = Run(args);
        OneLine(r, 3, "kshim: infrastructure error: the Docker engine at tcp://127.0.0.1:1 does not answer");
        Assert.That(r.Output, Does.Not.Contain("docker-engine.sh"), "no advice to start the local engine for another URL");
    }

    [Test]
    public void DoctorWithAnEngineThatDoesNotAnswerSaysWhereAndExits3()
    {
        _env["DOCKER_HOST"] = "tcp://127.0.0.1:1";
        var r = Run("doctor");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(r.HasStackTrace, Is.False, r.ToString());
        Assert.That(r.Stdout, Does.Contain("does not answer at tcp://127.0.0.1:1"));
        Assert.That(r.Stdout, Does.Not.Contain("docker-engine.sh"));
    }

    [TestCase("garbage", "DOCKER_HOST: 'garbage' is not a Docker endpoint URL")]
    [TestCase("ssh://me@host", "ssh:// endpoints are not supported")]
    [TestCase("http://host:2375", "write tcp://host:2375")]
    public void AMalformedDockerHostIsAnInputError(string host, string says)
    {
        _env["DOCKER_HOST"] = host;
        OneLine(Run("boot", "--target", "testguest"), 2, says);
        OneLine(Run("image", "build"), 2, says);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ATruncatedKernelIsAnInputError(bool gzipped)
    {
        var cut = _in.Truncated(_in.Kernel(), 300);
        if (gzipped) cut = _in.Gzipped(cut);
        OneLine(Run("run", "--target", "qemu", "--kernel", cut, "--sys", _in.SysTree(), "--report", Reports), 2, "a truncated or corrupt ELF file");
        var kernels = Path.Combine(_in.Dir, "cache", "kshim", "kernels");
        Assert.That(Directory.Exists(kernels) ? Directory.GetFiles(kernels) : [], Is.Empty, "nothing left in the kernel cache");
    }

    [Test]
    public void AGzipOfGarbageSaysSoAndLeavesNothingInTheCache()
    {
        var gz = _in.Gzipped(_in.File("junk", "this is not a kernel"));
        OneLine(Run("run", "--target", "qemu", "--kernel", gz, "--sys", _in.SysTree(), "--report", Reports), 2,
            $"{gz} is gzipped, but what it holds is not an ELF file");
        var kernels = Path.Combine(_in.Dir, "cache", "kshim", "kernels");
        Assert.That(Directory.Exists(kernels) ? Directory.GetFiles(kernels) : [], Is.Empty);
    }

    [Test]
    public void ASysTreeWithParamHButNoSyscallHIsAnInputError() =>
        OneLine(Run("run", "--target", "qemu", "--kernel", _in.Kernel(), "--sys", _in.SysTree(without: "sys/syscall.h"), "--report", Reports), 2,
            "incomplete sys tree: no sys/syscall.h");

    [Test]
    public void MissingOrFileScenarioDirectoriesAreInputErrors()
    {
        OneLine(Run("run", "--scenarios", "/nonexistent", "--report", Reports), 2, "scenarios: no directory /nonexistent");
        var file = _in.File("a.yaml", "x");
        OneLine(Run("run", "--scenarios", file, "--report", Reports), 2, "is a file; give the directory");
        Directory.CreateDirectory(Path.Combine(_in.Dir, "empty"));
        OneLine(Run("run", "--scenarios", Path.Combine(_in.Dir, "empty"), "--report", Reports), 2, "no *.yaml scenario files in");
    }

    [Test]
    public void AnUnwritableReportDirectoryIsRefusedBeforeTheRun()
    {
        var file = _in.File("plain-file", "x");
        var r = Run("run", "--report", Path.Combine(file, "reports"));
        OneLine(r, 2, $"--report {Path.Combine(file, "reports")}: cannot write reports there");
        Assert.That(r.Stdout, Does.Not.Contain("passed"), "refused before running anything");
    }

    [Test]
    public void AFilterMatchingNothingSaysSoAndKeepsThePreviousReports()
    {
        var first = Run("run", "--filter", "split/", "--report", Reports);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var junit = Path.Combine(Reports, "junit.xml");
        var before = File.ReadAllText(junit);
        OneLine(Run("run", "--filter", "no-such-case", "--report", Reports), 2, "--filter 'no-such-case' matches none of the");
        Assert.That(File.ReadAllText(junit), Is.EqualTo(before), "the previous reports stay");
    }

    [TestCase("reproduce", "pr24039", "--target", "model", "--bound-ms", "0", ExpectedResult = "--bound-ms must be between 10 and 60000")]
    [TestCase("bench", "--no-vm", "--boots", "0", ExpectedResult = "--boots must be at least 1")]
    [TestCase("bench", "--no-vm", "--boots", "-1", ExpectedResult = "--boots must be at least 1")]
    public string OutOfRangeOptionsAreUsageErrors(params string[] args)
    {
        var r = Run(args);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.HasStackTrace, Is.False, r.ToString());
        return r.Output.Split('\n').First(l => l.Contains("must be")).Trim();
    }

    [Test]
    public void KvmRequestedWhereThereIsNoneIsAnInputError()
    {
        if (HostVirtualization.Probe().WhyNotKvm() is null) Assert.Ignore("this machine has KVM: --accel kvm is valid here");
        OneLine(Run("boot", "--target", "testguest", "--accel", "kvm"), 2, "--accel kvm: KVM cannot be used here");
    }

    [Test]
    public void AControlCharacterInACaseNameIsRefusedWithItsLine()
    {
        var dir = Path.Combine(_in.Dir, "ctl");
        _in.Scenario(dir, "ctl", "  - name: \"bad\\u0007name\"\n    steps:\n      - map: {pages: 1}\n");
        OneLine(Run("run", "--scenarios", dir, "--report", Reports), 2, "ctl.yaml:4:");
        Assert.That(Run("run", "--scenarios", dir, "--report", Reports).Stderr, Does.Contain("contains a control character (U+0007"));
    }

    [TestCase("2147483647", "map.pages = 2147483647 is out of range [1, 4096]")]
    [TestCase("123456789012345678901234", "map.pages = 123456789012345678901234 is out of range [1, 4096]")]
    public void AMappingLargerThanTheMapIsRefusedByTheLoader(string pages, string says)
    {
        var dir = Path.Combine(_in.Dir, "big");
        _in.Scenario(dir, "big", $"  - name: huge\n    steps:\n      - map: {{pages: {pages}}}\n");
        OneLine(Run("run", "--scenarios", dir, "--report", Reports), 2, says);
    }
}
