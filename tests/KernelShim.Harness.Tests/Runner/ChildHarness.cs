using System.Diagnostics;
using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Tests.Runner;

/// <summary>
/// A second harness process for the reaper and exit-cleanup tests: the test assembly itself, started with
/// DOTNET_STARTUP_HOOKS pointing at it, so <see cref="global::StartupHook"/> runs a real
/// <see cref="DockerRunner"/> that creates one labelled container and then waits to be killed or signalled.
/// </summary>
internal sealed class ChildHarness : IDisposable
{
    public const string ModeVariable = "KSHIM_TEST_CHILD";
    public const string ImageVariable = "KSHIM_TEST_CHILD_IMAGE";
    public const string Mode = "runner-owner";

    private readonly Process process;

    private ChildHarness(Process process, string containerId)
    {
        this.process = process;
        ContainerId = containerId;
    }

    public int Pid => process.Id;

    public string ContainerId { get; }

    public bool HasExited => process.HasExited;

    /// <summary>Starts the child and waits until it reports its container.</summary>
    public static async Task<ChildHarness> StartAsync(string image, TimeSpan limit)
    {
        var assembly = typeof(ChildHarness).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(assembly);
        info.Environment["DOTNET_STARTUP_HOOKS"] = assembly;
        info.Environment[ModeVariable] = Mode;
        info.Environment[ImageVariable] = image;
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the child harness");

        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
                if (line.StartsWith("CONTAINER ", StringComparison.Ordinal))
                    return new ChildHarness(process, line["CONTAINER ".Length..].Trim());
        }
        catch (OperationCanceledException)
        {
        }
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        var stderr = await process.StandardError.ReadToEndAsync();
        process.Dispose();
        throw new InvalidOperationException($"the child harness reported no container within {limit}: {stderr}");
    }

    /// <summary>kill -9: no exit hook can run.</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: false);
        process.WaitForExit();
    }

    /// <summary>Sends a catchable signal (SIGTERM, SIGINT) and waits for the child to exit.</summary>
    public bool Signal(int signal, TimeSpan limit)
    {
        if (sys_kill(process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed");
        return process.WaitForExit(limit);
    }

    public string Stderr() => process.HasExited ? process.StandardError.ReadToEnd() : "";

    public void Dispose()
    {
        if (!process.HasExited)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
        }
        process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int sys_kill(int pid, int signal);
}
