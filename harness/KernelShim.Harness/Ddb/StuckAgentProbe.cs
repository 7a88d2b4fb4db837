using KernelShim.Harness.Agent;
using KernelShim.Harness.KernelConsole;

namespace KernelShim.Harness.Ddb;

/// <summary>
/// Decides whether a guest whose agent went quiet is stuck, for
/// <see cref="AgentClient.HangProbe"/>.  Console output since the last look
/// means the kernel is alive.  Otherwise it breaks into ddb and reads `ps`:
/// an agent LWP on a CPU or runnable is working (a slow request on a busy
/// host), so the kernel is continued and the client waits on; an agent LWP
/// asleep in the kernel (or missing, or a ddb that does not answer) is
/// stuck, and ddb is left at its prompt for the capture that follows.
/// </summary>
public sealed class StuckAgentProbe(ConsoleLog console, ConsoleWatcher watcher)
{
    /// <summary>The agent's process: /sbin/init of the micro root (the test guest's fake ps says the same).</summary>
    public int AgentPid { get; init; } = 1;

    public TimeSpan PromptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Lines about each look, for progress output.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>The agent's `ps` row at the last look that found it stuck.</summary>
    public DdbPsRow? StuckAgent { get; private set; }

    /// <summary>When the last look found the guest stuck (the hang's detection).</summary>
    public DateTimeOffset? DetectedAt { get; private set; }

    private DateTimeOffset _lastLook = DateTimeOffset.MinValue;

    public async Task<AgentHangVerdict> LookAsync(AgentSilence silence, CancellationToken ct)
    {
        var since = silence.Since > _lastLook ? silence.Since : _lastLook;
        _lastLook = DateTimeOffset.UtcNow;
        if (console.LastOutput > since)
            return Alive(silence, $"the console printed {(_lastLook - console.LastOutput).TotalSeconds:0.0} s ago");
        var ddb = new DdbCapture(console, watcher) { PromptTimeout = PromptTimeout };
        var look = await ddb.CaptureAsync(["ps"], continueAfter: false, ct).ConfigureAwait(false);
        if (!look.Entered)
            return Stuck("no ddb prompt after a serial BREAK");
        var agent = DdbPs.Rows(look.Text).FirstOrDefault(r => r.Pid == AgentPid);
        if (agent is null)
            return Stuck($"ddb's ps lists no process {AgentPid} (the agent)");
        if (agent.IsRunning)
        {
            await console.TypeAsync("c\r", ct).ConfigureAwait(false);
            _lastLook = DateTimeOffset.UtcNow;
            return Alive(silence, $"ddb shows the agent working (state {agent.State}{(agent.OnThisCpu ? ", on the CPU" : "")})");
        }
        StuckAgent = agent;
        return Stuck(agent.Wait is { } w
            ? $"ddb shows the agent (pid {agent.Pid}) asleep in the kernel on \"{w}\""
            : $"ddb shows the agent (pid {agent.Pid}) in state {agent.State}, not running");
    }

    private AgentHangVerdict Alive(AgentSilence silence, string why)
    {
        Progress?.Invoke($"{silence}: alive, {why}; waiting on");
        return new AgentHangVerdict(false, why);
    }

    private AgentHangVerdict Stuck(string why)
    {
        DetectedAt = DateTimeOffset.UtcNow;
        return new AgentHangVerdict(true, why);
    }
}
