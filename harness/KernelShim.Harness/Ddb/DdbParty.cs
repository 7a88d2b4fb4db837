namespace KernelShim.Harness.Ddb;

/// <summary>
/// An LWP a hang is about (the unmapper, the reclaimer, a lock's owner),
/// picked out of ddb's `ps` so that its stack leads the transcript.
/// </summary>
public sealed record DdbParty(string Role, Func<DdbPsRow, bool> Matches)
{
    /// <summary>The LWP with this id in process 0 (kernel threads), or any process when pid is null.</summary>
    public static DdbParty ByLid(string role, int lid, int? pid = 0) =>
        new(role, r => r.Lid == lid && (pid is null || r.Pid == pid));

    /// <summary>LWPs whose name starts with this text (ddb prints kernel thread names whole or cut).</summary>
    public static DdbParty ByName(string role, string prefix) =>
        new(role, r => r.Name.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(r.Name, StringComparison.Ordinal) && r.Name.Length >= 8);
}
