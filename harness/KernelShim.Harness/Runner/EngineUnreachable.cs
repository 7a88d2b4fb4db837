using System.Net.Sockets;

namespace KernelShim.Harness.Runner;

/// <summary>
/// Whether an exception from a Docker API call means the engine could not be reached: the HTTP and socket
/// errors, also when Docker.DotNet wraps them in an <see cref="AggregateException"/> (it does for a refused TCP connection).
/// </summary>
public static class EngineUnreachable
{
    public static bool Is(Exception e) => e switch
    {
        HttpRequestException or SocketException or IOException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(Is),
        _ => false,
    };

    /// <summary>The message that says why (the innermost socket or HTTP error, not "One or more errors occurred").</summary>
    public static string Reason(Exception e) => e is AggregateException { InnerExceptions: [var only] } ? Reason(only) : e.Message;
}
