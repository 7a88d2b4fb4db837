using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

/// <summary>
/// The extra Docker engine on this machine (scripts/docker-engine.sh --instance 2), started once per
/// test run: a dockerd that shares no state with the main one and is reached over
/// tcp://127.0.0.1:23752, so that copy mode runs exactly as against an engine elsewhere.
/// Starting it needs root: without root and without a running instance the tests are skipped, saying so.
/// </summary>
internal static class SecondEngine
{
    public const int Instance = 2;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IReadOnlyList<DockerEndpoint>? endpoints;

    /// <summary>Its tcp:// endpoint (copy mode, the default for tcp://).</summary>
    public static async Task<DockerEndpoint> RequireTcpAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (endpoints is null)
            {
                try
                {
                    endpoints = await DockerEngine.StartInstanceAsync(Instance, TestContext.Progress).ConfigureAwait(false);
                }
                catch (RunnerException e) when (Environment.UserName != "root")
                {
                    Assert.Ignore($"the second Docker engine (scripts/docker-engine.sh --instance {Instance}) is not running " +
                                  $"and starting it needs root: {e.Message}");
                }
            }
            return endpoints!.Single(e => e.Uri.Scheme == "tcp");
        }
        finally
        {
            Gate.Release();
        }
    }
}
