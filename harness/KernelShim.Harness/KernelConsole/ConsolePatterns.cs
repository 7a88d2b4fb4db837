using System.Text.RegularExpressions;

namespace KernelShim.Harness.KernelConsole;

/// <summary>
/// Every console pattern the harness acts on, in one place.  The texts are
/// NetBSD's own (sys/kern/subr_prf.c, kern_lock.c/subr_lockdebug.c,
/// uvm/uvm_fault.c, ddb/db_*.c); tests hold real console lines.
/// Order matters: the first pattern that matches a line names its kind.
/// </summary>
public static partial class ConsolePatterns
{
    public sealed record Pattern(ConsoleEventKind Kind, Regex Regex);

    public static IReadOnlyList<Pattern> All { get; } =
    [
        new(ConsoleEventKind.DiagnosticAssertion, DiagnosticAssertion()),
        new(ConsoleEventKind.LockingAgainstMyself, LockingAgainstMyself()),
        new(ConsoleEventKind.Panic, Panic()),
        new(ConsoleEventKind.UvmFault, UvmFault()),
        new(ConsoleEventKind.DdbStopped, DdbStopped()),
        new(ConsoleEventKind.DdbMore, DdbMore()),
        new(ConsoleEventKind.DdbPrompt, DdbPrompt()),
        new(ConsoleEventKind.Reboot, Reboot()),
        new(ConsoleEventKind.CycleDetected, CycleDetected()),
    ];

    /// <summary>The kind and detail of a line, or null when it is ordinary chatter.</summary>
    public static (ConsoleEventKind Kind, string Detail)? Match(string line)
    {
        foreach (var p in All)
        {
            var m = p.Regex.Match(line);
            if (m.Success)
                return (p.Kind, m.Groups["d"].Success ? m.Groups["d"].Value.Trim() : line.Trim());
        }
        return null;
    }

    // panic: kernel diagnostic assertion "x" failed: file "f", line n
    [GeneratedRegex(@"(?:panic: )?kernel diagnostic assertion (?<d>"".*"" failed: file "".*"", line \d+)")]
    private static partial Regex DiagnosticAssertion();

    // Reader / writer lock error: rw_vector_enter,..: locking against myself
    // Mutex error: mutex_vector_enter,...: locking against myself
    [GeneratedRegex(@"(?<d>.*locking against myself.*)")]
    private static partial Regex LockingAgainstMyself();

    [GeneratedRegex(@"^\s*(?:\[\s*\d+\.\d+\]\s*)?panic: (?<d>.*)$")]
    private static partial Regex Panic();

    // uvm_fault(0xffffffff80c5b0a0, 0x0, 1) -> e   /  fatal page fault in supervisor mode
    [GeneratedRegex(@"(?<d>uvm_fault\(.*\) -> \w+|fatal (?:page|protection) fault in (?:supervisor|user) mode)")]
    private static partial Regex UvmFault();

    // Stopped in pid 0.5 (system) at  netbsd:breakpoint+0x5:   leave
    [GeneratedRegex(@"Stopped in pid (?<d>\d+\.\d+ \(.*?\) at\s+\S+)")]
    private static partial Regex DdbStopped();

    [GeneratedRegex(@"--db_more--")]
    private static partial Regex DdbMore();

    [GeneratedRegex(@"^db\{(?<d>\d+)\}>\s*$")]
    private static partial Regex DdbPrompt();

    [GeneratedRegex(@"(?<d>rebooting\.\.\.|The operating system has halted\.)")]
    private static partial Regex Reboot();

    // native/kmod's watchdog: "uvmshim: PR 24039 cycle DEADLOCK on map 0x..., lock 0x...: lwp 31 (uvmshim_unmap) write-holds it ..."
    [GeneratedRegex(@"uvmshim: PR 24039 cycle DEADLOCK (?<d>on map 0x[0-9a-f]+)")]
    private static partial Regex CycleDetected();
}
