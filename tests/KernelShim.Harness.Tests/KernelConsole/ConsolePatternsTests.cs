using KernelShim.Harness.KernelConsole;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.KernelConsole;

[TestFixture, Category("Unit")]
public class ConsolePatternsTests
{
    // Lines in the shapes NetBSD prints them (kern/subr_prf.c, kern/subr_lockdebug.c,
    // uvm/uvm_fault.c, arch/amd64/amd64/trap.c, ddb/db_trap.c).
    [TestCase("panic: kernel diagnostic assertion \"entry->start < entry->end\" failed: file \"../../../../uvm/uvm_map.c\", line 1097 ",
        ConsoleEventKind.DiagnosticAssertion, "\"entry->start < entry->end\" failed: file \"../../../../uvm/uvm_map.c\", line 1097")]
    [TestCase("Reader / writer lock error: rw_vector_enter,296: locking against myself",
        ConsoleEventKind.LockingAgainstMyself, "Reader / writer lock error: rw_vector_enter,296: locking against myself")]
    [TestCase("panic: lock error: Reader / writer lock: rw_vector_enter,296: locking against myself",
        ConsoleEventKind.LockingAgainstMyself, "panic: lock error: Reader / writer lock: rw_vector_enter,296: locking against myself")]
    [TestCase("panic: uvm_mapent_alloc: out of entries", ConsoleEventKind.Panic, "uvm_mapent_alloc: out of entries")]
    [TestCase("[  12.3456789] panic: trap", ConsoleEventKind.Panic, "trap")]
    [TestCase("uvm_fault(0xffffffff80c4f5a0, 0x0, 1) -> e", ConsoleEventKind.UvmFault, "uvm_fault(0xffffffff80c4f5a0, 0x0, 1) -> e")]
    [TestCase("fatal page fault in supervisor mode", ConsoleEventKind.UvmFault, "fatal page fault in supervisor mode")]
    [TestCase("Stopped in pid 0.5 (system) at  netbsd:breakpoint+0x5:   leave",
        ConsoleEventKind.DdbStopped, "0.5 (system) at  netbsd:breakpoint+0x5:")]
    [TestCase("db{0}> ", ConsoleEventKind.DdbPrompt, "0")]
    [TestCase("db{1}>", ConsoleEventKind.DdbPrompt, "1")]
    [TestCase("--db_more--", ConsoleEventKind.DdbMore, "--db_more--")]
    [TestCase("rebooting...", ConsoleEventKind.Reboot, "rebooting...")]
    public void Recognises(string line, ConsoleEventKind kind, string detail)
    {
        var m = ConsolePatterns.Match(line);
        Assert.That(m, Is.Not.Null, line);
        Assert.That(m!.Value.Kind, Is.EqualTo(kind));
        Assert.That(m.Value.Detail, Is.EqualTo(detail));
    }

    [TestCase("NetBSD 7.99.4 (KSHIM) #0: Tue Nov 24 20:01:02 UTC 2026")]
    [TestCase("com0 at isa0 port 0x3f8-0x3ff irq 4: ns16550a, working fifo")]
    [TestCase("db_panic: 1")]
    [TestCase("ld0 at virtio1: Virtio Block Device")]
    [TestCase("the word panic in the middle of a line")]
    public void IgnoresOrdinaryChatter(string line) => Assert.That(ConsolePatterns.Match(line), Is.Null);
}
