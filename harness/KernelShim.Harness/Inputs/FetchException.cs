namespace KernelShim.Harness.Inputs;

/// <summary>Why a download did not produce a verified file; nothing half-written is left looking whole.</summary>
public sealed class FetchException(FetchFailure kind, string message) : Exception(message)
{
    public FetchFailure Kind { get; } = kind;
}

public enum FetchFailure
{
    NotFound,
    HttpError,
    Truncated,
    ChecksumMismatch,
    Stalled,
    NoChecksum,
    Offline,
}
