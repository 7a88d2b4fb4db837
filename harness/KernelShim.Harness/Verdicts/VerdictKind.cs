namespace KernelShim.Harness.Verdicts;

/// <summary>
/// How a run ended.  Distinct kinds so that CI and humans can tell a bug in
/// the kernel (Panic, Deadlock, Failed) from a broken test machine.
/// </summary>
public enum VerdictKind
{
    /// <summary>Every expectation held.</summary>
    Passed,
    /// <summary>The kernel answered, but an expectation did not hold.</summary>
    Failed,
    /// <summary>A case meant to reproduce a bug ran, and the bug did not form (on a patched kernel: the fix).</summary>
    NotReproduced,
    /// <summary>The kernel panicked (including KASSERT and "locking against myself").</summary>
    Panic,
    /// <summary>The PR 24039 cycle, or another hang with evidence of a lock cycle.</summary>
    Deadlock,
    /// <summary>The VM printed nothing at all before the deadline.</summary>
    NoOutput,
    /// <summary>The agent channel closed or the agent restarted mid-run.</summary>
    LostConnection,
    /// <summary>A deadline passed without a more specific explanation.</summary>
    Timeout,
    /// <summary>Docker, QEMU, the image or the inputs failed: says nothing about the kernel.</summary>
    InfrastructureError,
}
