namespace KernelShim.Harness.Inputs;

/// <summary>Why a download did not produce a verified file; nothing half-written is left looking whole.</summary>
/// A release without a pinned checksum, or a file not in the cache offline, is the user's to fix (input);
/// the rest is the network's or the mirror's (infrastructure).
public sealed class FetchException(FetchFailure kind, string message)
    : Errors.KernelShimException(kind is FetchFailure.NoChecksum or FetchFailure.Offline ? Errors.ErrorClass.Input : Errors.ErrorClass.Infrastructure, message)
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
