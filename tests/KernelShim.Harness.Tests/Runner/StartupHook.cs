using KernelShim.Harness.Runner;
using KernelShim.Harness.Tests.Runner;

/// <summary>
/// Runs only in the child process of <see cref="ChildHarness"/> (DOTNET_STARTUP_HOOKS + KSHIM_TEST_CHILD):
/// creates and starts one container through a real <see cref="DockerRunner"/>, prints its id, and waits
/// forever (until the test kills or signals it). The runtime requires this name, in no namespace.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(ChildHarness.ModeVariable) != ChildHarness.Mode)
            return;
        var image = Environment.GetEnvironmentVariable(ChildHarness.ImageVariable) ?? RunnerImage.LatestTag;
        var runner = new DockerRunner(reapStale: false);
        var spec = new ContainerSpecBuilder().WithImage(image).WithCommand("sleep", "600").WithNamePrefix("kshim-child").Build();
        var container = runner.CreateAsync(spec).GetAwaiter().GetResult();
        container.StartAsync().GetAwaiter().GetResult();
        Console.WriteLine($"CONTAINER {container.Id}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }
}
