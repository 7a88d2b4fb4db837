using System.Runtime.InteropServices;
using KernelShim.Bindings;

namespace KernelShim.Harness.Agent;

/// <summary>
/// A PROGRESS frame (struct kshim_progress): how many bytes of a request the
/// agent has received so far.  The guest reads both numbers from a header
/// whose CRC it could not check yet, so they are believed only when they
/// fit the frame the harness is sending.
/// </summary>
public sealed record ProgressInfo(uint Have, uint Need)
{
    /// <summary>The report, or null when it cannot be about a frame of frameBytes.</summary>
    public static unsafe ProgressInfo? Parse(ReadOnlySpan<byte> payload, int frameBytes)
    {
        if (payload.Length != sizeof(kshim_progress))
            return null;
        var p = MemoryMarshal.Read<kshim_progress>(payload);
        if (p.need != (uint)frameBytes || p.have > p.need)
            return null;
        return new ProgressInfo(p.have, p.need);
    }
}
