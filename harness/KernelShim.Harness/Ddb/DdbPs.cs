using System.Globalization;
using System.Text.RegularExpressions;

namespace KernelShim.Harness.Ddb;

/// <summary>Reads ddb's `ps` listing (ddb/db_proc.c): which LWPs sleep, and on what.</summary>
public static partial class DdbPs
{
    // PID    LID S CPU     FLAGS       STRUCT LWP *               NAME WAIT
    // 0       57 3   0       200   fffffe800f3c1a40          uvmshim_u vmmapent
    [GeneratedRegex(@"^\s*>?\s*\d+\s*>?\s*\d+\s+(?<state>\d)\s+\d+\s+[0-9a-f]+\s+(?<lwp>[0-9a-f]{8,16})\s+\S+(?:\s+(?<wait>\S+))?\s*$",
        RegexOptions.Multiline)]
    private static partial Regex Row();

    /// <summary>Addresses of LWPs in `ps` output that wait on a channel (state 3: LSSLEEP).</summary>
    public static IEnumerable<ulong> SleepingLwps(string psText) =>
        Row().Matches(psText)
            .Where(m => m.Groups["wait"].Success && m.Groups["state"].Value == "3")
            .Select(m => ulong.Parse(m.Groups["lwp"].Value, NumberStyles.HexNumber))
            .Distinct();
}
