using System.Globalization;

namespace KernelShim.Harness.Runner;

/// <summary>The two fields of /proc/&lt;pid&gt;/stat the reaper needs: state and start time.</summary>
internal sealed record ProcStat(char State, long StartTicks)
{
    /// <summary>Zombie or dead: the process has exited even though its pid is still listed.</summary>
    public bool IsGone => State is 'Z' or 'X' or 'x';

    public static ProcStat? TryRead(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        return Parse(text);
    }

    /// <summary>"pid (comm) state ppid ..." where comm may hold spaces and parentheses.</summary>
    public static ProcStat? Parse(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); starttime is field 22.
        if (fields.Length < 20 || fields[0].Length != 1
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            return null;
        return new ProcStat(fields[0][0], start);
    }
}
