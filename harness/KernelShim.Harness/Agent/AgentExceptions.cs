namespace KernelShim.Harness.Agent;

/// <summary>
/// Base of everything that went wrong talking to a guest agent.  Runs turn these into verdicts; one that
/// escapes to the CLI anyway (a bench measurement, say) is reported as an infrastructure error.
/// </summary>
public abstract class AgentException(string message) : Errors.KernelShimException(Errors.ErrorClass.Infrastructure, message);

/// <summary>No valid answer before the request's deadline.</summary>
public class AgentTimeoutException(string message) : AgentException(message);

/// <summary>
/// A request went quiet and the client's <see cref="AgentHangProbe"/> found the guest
/// stuck: the agent blocked in the kernel (or never took the request in).
/// </summary>
public sealed class AgentHangException(AgentSilence silence, string why)
    : AgentTimeoutException($"{silence}; {why}")
{
    public AgentSilence Silence { get; } = silence;
    public string Why { get; } = why;
}

/// <summary>The channel closed: the VM died or QEMU exited.</summary>
public sealed class AgentConnectionLostException(string message) : AgentException(message);

/// <summary>A READY with a new boot id arrived in the middle of a session.</summary>
public sealed class AgentRestartedException(ReadyInfo previous, ReadyInfo now)
    : AgentException($"agent restarted: boot id {previous.BootId:x16} -> {now.BootId:x16}")
{
    public ReadyInfo Previous { get; } = previous;
    public ReadyInfo Now { get; } = now;
}

/// <summary>The agent answered with something the protocol does not allow.</summary>
public sealed class AgentProtocolException(string message) : AgentException(message);
