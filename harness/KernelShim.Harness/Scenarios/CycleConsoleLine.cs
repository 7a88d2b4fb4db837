using System.Globalization;
using System.Text.RegularExpressions;

namespace KernelShim.Harness.Scenarios;

/// <summary>
/// The module's console line when it detects the PR 24039 cycle (native/kmod/uvmshim_cycle.c,
/// report_evidence): the map, who write-holds its lock, and the reclaimer waiting for it.
/// It comes before the ioctl returns, so the harness can act while the cycle stands.
/// </summary>
public sealed partial record CycleConsoleLine(ulong Map, ulong? Lock, int HolderLid, string HolderName, int ReclaimerLid)
{
    // uvmshim: PR 24039 cycle DEADLOCK on map 0xffff..., lock 0xffff...: lwp 31 (uvmshim_unmap) write-holds it 1003 ms, sleeping on "plpg"; reclaimer lwp 32 waits on "tstile" ...
    // (modules before the lock address was printed leave ", lock ..." out)
    [GeneratedRegex(@"cycle DEADLOCK on map 0x(?<map>[0-9a-f]+)(?:, lock 0x(?<lock>[0-9a-f]+))?: lwp (?<hl>\d+) \((?<hn>[^)]*)\) write-holds it.*?reclaimer lwp (?<rl>\d+)")]
    private static partial Regex Pattern();

    /// <summary>
    /// ddb commands about the map and its lock: `show lock` (LOCKDEBUG: owner and
    /// turnstile waiters; every LOCKDEBUG kernel has it, unlike `show all locks`,
    /// which 7.99.4 lacks) and `show map`.
    /// </summary>
    public IEnumerable<string> DdbCommands()
    {
        if (Lock is { } l) yield return $"show lock 0x{l:x}";
        yield return $"show map 0x{Map:x}";
    }

    public static CycleConsoleLine? Parse(string line)
    {
        var m = Pattern().Match(line);
        if (!m.Success) return null;
        return new CycleConsoleLine(ulong.Parse(m.Groups["map"].Value, NumberStyles.HexNumber),
            m.Groups["lock"].Success ? ulong.Parse(m.Groups["lock"].Value, NumberStyles.HexNumber) : null,
            int.Parse(m.Groups["hl"].Value, CultureInfo.InvariantCulture), m.Groups["hn"].Value,
            int.Parse(m.Groups["rl"].Value, CultureInfo.InvariantCulture));
    }
}
