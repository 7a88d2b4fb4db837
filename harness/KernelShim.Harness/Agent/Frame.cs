using KernelShim.Bindings;

namespace KernelShim.Harness.Agent;

/// <summary>One protocol frame (native/include/kshim_agent_proto.h) after its CRC was checked.</summary>
public sealed record Frame(uint RequestId, kshim_frame_type Type, byte[] Payload)
{
    public bool IsResponseTo(kshim_frame_type request) =>
        (uint)Type == ((uint)request | (uint)kshim_frame_type.KSHIM_FRAME_RESPONSE);

    public override string ToString() => $"{Type} id={RequestId} len={Payload.Length}";
}
