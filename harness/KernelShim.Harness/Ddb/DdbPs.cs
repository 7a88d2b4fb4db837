using System.Globalization;
using System.Text.RegularExpressions;

namespace KernelShim.Harness.Ddb;

/// <summary>Reads ddb's `ps` listing (ddb/db_proc.c): which LWPs sleep, and on what.</summary>
public static partial class DdbPs
{
    // PID    LID S CPU     FLAGS       STRUCT LWP *               NAME WAIT
    // 0       57 3   0       200   fffffe800f3c1a40          uvmshim_u vmmapent
    // 1    >   1 7   0         0   fffffe8001f834e0               init
    [GeneratedRegex(@"^\s*(?<cur>>)?\s*(?<pid>\d+)\s*(?<cur2>>)?\s*(?<lid>\d+)\s+(?<state>\d)\s+\d+\s+[0-9a-f]+\s+(?<lwp>[0-9a-f]{8,16})\s+(?<name>\S+)(?:\s+(?<wait>\S+))?\s*$",
        RegexOptions.Multiline)]
    private static partial Regex Row();

    /// <summary>Every LWP row of a `ps` listing.</summary>
    public static IEnumerable<DdbPsRow> Rows(string psText) =>
        Row().Matches(psText).Select(m => new DdbPsRow(
            int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups["lid"].Value, CultureInfo.InvariantCulture),
            m.Groups["state"].Value[0] - '0',
            m.Groups["cur"].Success || m.Groups["cur2"].Success,
            ulong.Parse(m.Groups["lwp"].Value, NumberStyles.HexNumber),
            m.Groups["name"].Value,
            m.Groups["wait"].Success ? m.Groups["wait"].Value : null,
            m.Value.Trim()));

    private const string Sleeping = "3"; // LSSLEEP
    private const string Runnable = "2"; // LSRUN: waiting for a CPU, or yielding in a retry loop

    /// <summary>
    /// LWPs worth a stack after a hang, most telling first: runnable ones
    /// that are not on a CPU (a party that keeps retrying), then sleepers
    /// with a wait channel.  Idle and soft-interrupt LWPs and the one on the
    /// CPU (marked '>', its stack is `bt`) are left out.
    /// </summary>
    public static IEnumerable<ulong> StuckLwps(string psText) =>
        Row().Matches(psText)
            .Where(m => !m.Groups["cur"].Success && !m.Groups["cur2"].Success)
            .Where(m => !m.Groups["name"].Value.StartsWith("idle/", StringComparison.Ordinal)
                     && !m.Groups["name"].Value.StartsWith("soft", StringComparison.Ordinal))
            .Where(m => m.Groups["state"].Value == Runnable || (m.Groups["state"].Value == Sleeping && m.Groups["wait"].Success))
            .OrderBy(m => m.Groups["state"].Value == Runnable ? 0 : 1)
            .Select(m => ulong.Parse(m.Groups["lwp"].Value, NumberStyles.HexNumber))
            .Distinct();
}
