using System.Runtime.InteropServices;
using System.Text;
using KernelShim.Bindings;

namespace KernelShim.Harness.Agent;

/// <summary>The agent's READY announcement (struct kshim_ready).</summary>
public sealed record ReadyInfo(
    uint ProtocolVersion,
    uvmshim_target AgentKind,
    ulong BootId,
    int ModuleError,
    string AgentVersion,
    string OsVersion)
{
    public static unsafe ReadyInfo Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < sizeof(kshim_ready))
            throw new AgentProtocolException($"READY payload of {payload.Length} bytes, expected {sizeof(kshim_ready)}");
        var r = MemoryMarshal.Read<kshim_ready>(payload);
        return new ReadyInfo(r.proto_version, (uvmshim_target)r.agent_kind, r.boot_id, r.module_error,
            CString(r.agent_version, 32), CString(r.os_version, 64));
    }

    internal static unsafe string CString(sbyte* p, int max)
    {
        var bytes = new ReadOnlySpan<byte>(p, max);
        int n = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(n < 0 ? bytes : bytes[..n]);
    }

    public override string ToString() =>
        $"{OsVersion} ({AgentKind}, agent {AgentVersion}, boot {BootId:x16}" +
        (ModuleError != 0 ? $", module load errno {ModuleError})" : ")");
}
