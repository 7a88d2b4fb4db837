namespace KernelShim.Harness.Runner;

/// <summary>A stale container the reaper removed, and why.</summary>
public sealed record ReapedContainer(string Id, string Name, OwnerIdentity Owner, OwnerLiveness Reason)
{
    public override string ToString() => Reason switch
    {
        OwnerLiveness.Dead => $"removed {Name}: owner pid {Owner.Pid} is dead",
        OwnerLiveness.PidReused => $"removed {Name}: owner pid {Owner.Pid} now belongs to another process",
        OwnerLiveness.EarlierBoot => $"removed {Name}: owner ran before the last reboot",
        _ => $"removed {Name}: {Reason}",
    };
}
