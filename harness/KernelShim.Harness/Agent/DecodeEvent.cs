namespace KernelShim.Harness.Agent;

/// <summary>What the decoder found in the byte stream.</summary>
public abstract record DecodeEvent
{
    /// <summary>A frame whose CRC checked out.</summary>
    public sealed record Good(Frame Frame) : DecodeEvent;

    /// <summary>A frame-shaped run of bytes whose CRC failed; the id may itself be garbled.</summary>
    public sealed record BadCrc(uint ClaimedRequestId, int Length) : DecodeEvent;

    /// <summary>Bytes that were not a frame and were skipped to resynchronise.</summary>
    public sealed record Garbage(int Bytes) : DecodeEvent;
}
