namespace KernelShim.Harness.Runner;

/// <summary>
/// One harness process as Docker sees it: a GUID plus the owner identity, stamped on every container
/// as labels so that leftovers can be found (by session) and judged (by owner).
/// </summary>
public sealed class HarnessSession
{
    public HarnessSession(Guid id, OwnerIdentity owner)
    {
        Id = id;
        Owner = owner;
    }

    /// <summary>The session of this process.</summary>
    public static HarnessSession Current { get; } = new(Guid.NewGuid(), OwnerIdentity.Current);

    public Guid Id { get; }

    public OwnerIdentity Owner { get; }

    /// <summary>First 8 hex digits of the id: used in container names.</summary>
    public string ShortId => Id.ToString("N")[..8];

    /// <summary>Session and owner labels.</summary>
    public IReadOnlyDictionary<string, string> Labels
    {
        get
        {
            var labels = new Dictionary<string, string>(Owner.ToLabels())
            {
                [KernelShimLabels.Session] = Id.ToString(),
            };
            return labels;
        }
    }

    /// <summary>The label filter value that selects this session's containers ("key=value").</summary>
    public string LabelFilter => $"{KernelShimLabels.Session}={Id}";

    public override string ToString() => $"session {Id} (pid {Owner.Pid})";
}
