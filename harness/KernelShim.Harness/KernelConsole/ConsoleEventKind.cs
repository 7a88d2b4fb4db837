namespace KernelShim.Harness.KernelConsole;

/// <summary>Things a NetBSD kernel console says that change a verdict.</summary>
public enum ConsoleEventKind
{
    /// <summary>"panic: ..." of any kind.</summary>
    Panic,
    /// <summary>A DIAGNOSTIC KASSERT/KDASSERT failure ("kernel diagnostic assertion ... failed").</summary>
    DiagnosticAssertion,
    /// <summary>A lock re-entered by its holder ("locking against myself").</summary>
    LockingAgainstMyself,
    /// <summary>A UVM fault report ("uvm_fault(...) -> e") or a fatal page fault trap.</summary>
    UvmFault,
    /// <summary>ddb stopped the kernel ("Stopped in pid ... at ...").</summary>
    DdbStopped,
    /// <summary>The ddb prompt ("db{0}> ").</summary>
    DdbPrompt,
    /// <summary>ddb's pager waits for a key ("--db_more--").</summary>
    DdbMore,
    /// <summary>A kernel that reset or rebooted under us.</summary>
    Reboot,
    /// <summary>The uvmshim module's watchdog saw the PR 24039 cycle (its own console line).</summary>
    CycleDetected,
}
