using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace KernelShim.Harness.Runner;

/// <summary>
/// Removes the containers of live <see cref="DockerRunner"/>s when the process goes down:
/// AppDomain.ProcessExit, SIGINT (Ctrl-C), SIGTERM, SIGHUP. Installed once, on the first runner.
/// (SIGKILL cannot be caught: that is what <see cref="Reaper"/> is for.)
/// </summary>
internal static class ExitCleanup
{
    private static readonly ConcurrentDictionary<DockerRunner, byte> Runners = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static readonly Lock Gate = new();
    private static bool installed;

    /// <summary>How long one runner may take to remove its containers at exit.</summary>
    public static TimeSpan Limit { get; set; } = TimeSpan.FromSeconds(10);

    public static void Register(DockerRunner runner)
    {
        Install();
        Runners[runner] = 0;
    }

    public static void Unregister(DockerRunner runner) => Runners.TryRemove(runner, out _);

    /// <summary>Removes the containers of every live runner now (what the exit hooks do).</summary>
    public static void RunNow()
    {
        foreach (var runner in Runners.Keys)
            runner.CleanUpForExit(Limit);
    }

    private static void Install()
    {
        lock (Gate)
        {
            if (installed)
                return;
            installed = true;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => RunNow();
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            {
                try
                {
                    // Clean up, then let the default action (termination) proceed.
                    Registrations.Add(PosixSignalRegistration.Create(signal, _ => RunNow()));
                }
                catch (PlatformNotSupportedException)
                {
                }
            }
        }
    }
}
