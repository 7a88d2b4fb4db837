using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

/// <summary>
/// What Docker tests need: an answering engine and the runner image. Probed once per test run.
/// A missing engine FAILS the tests (it is an environment error, never a skip).
/// </summary>
internal static class DockerTestEnvironment
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? runnerImage;

    public static async Task<string> RequireAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (runnerImage is not null)
                return runnerImage;
            var probe = await new DockerEngine().ProbeAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (!probe.Answers)
                Assert.Fail($"Docker tests need a running engine (they fail, never skip, without one). {probe.Describe()}");
            await using var runner = new DockerRunner(reapStale: false);
            var status = await new RunnerImage(runner).EnsureAsync(TestContext.Progress).ConfigureAwait(false);
            TestContext.Progress.WriteLine(
                $"runner image {status.Tag} ({(status.Built ? "built" : "present")}, {status.Elapsed.TotalSeconds:0.0} s)");
            return runnerImage = status.Tag;
        }
        finally
        {
            Gate.Release();
        }
    }
}

/// <summary>
/// Base of the Docker tests: needs the engine and image, gives a runner of this process's session,
/// and asserts after every test that no container of the session is left.
/// </summary>
public abstract class DockerTestBase
{
    protected string Image { get; private set; } = "";

    protected DockerRunner Runner { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task RequireEngineAndImage()
    {
        Image = await DockerTestEnvironment.RequireAsync();
        Runner = new DockerRunner();
    }

    [OneTimeTearDown]
    public async Task DisposeRunner()
    {
        if (Runner is not null)
            await Runner.DisposeAsync();
    }

    [TearDown]
    public async Task NoContainerOutlivesTheTest()
    {
        if (Runner is null)
            return;
        var left = await Runner.ListSessionContainersAsync();
        foreach (var container in left)
            await Runner.RemoveAsync(container.Id);
        Assert.That(left.Select(c => c.Name), Is.Empty,
            $"containers of session {Runner.Session.Id} outlived the test");
    }

    protected ContainerSpecBuilder RunnerSpec(params string[] command) =>
        new ContainerSpecBuilder().WithImage(Image).WithCommand(command);
}
