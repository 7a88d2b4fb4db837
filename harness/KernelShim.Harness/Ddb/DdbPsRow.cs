namespace KernelShim.Harness.Ddb;

/// <summary>
/// One LWP as ddb's `ps` lists it (ddb/db_proc.c): process and LWP ids, the
/// LWP state (sys/lwp.h: 2 LSRUN, 3 LSSLEEP, 7 LSONPROC), whether it is the
/// one on this CPU ('>'), its struct lwp address, name and wait message.
/// </summary>
public sealed record DdbPsRow(int Pid, int Lid, int State, bool OnThisCpu, ulong Lwp, string Name, string? Wait, string Line)
{
    public const int LsRun = 2;
    public const int LsSleep = 3;
    public const int LsOnProc = 7;

    /// <summary>On a CPU or waiting for one: it is working, not stuck.</summary>
    public bool IsRunning => OnThisCpu || State is LsRun or LsOnProc;

    /// <summary>Asleep on something (a wait message).</summary>
    public bool IsAsleep => State == LsSleep && Wait is not null;

    /// <summary>
    /// Waiting for a lock in a turnstile: the wait message is "tstile" up to NetBSD 9
    /// and the lock's class since (turnstile_block passes the syncobj's name: "rwlock", "mutex").
    /// </summary>
    public bool WaitsForLock => IsAsleep && Wait is "tstile" or "rwlock" or "mutex";
}
