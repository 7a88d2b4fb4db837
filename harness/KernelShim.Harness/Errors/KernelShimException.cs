namespace KernelShim.Harness.Errors;

/// <summary>
/// The base of every error the harness raises on purpose: its message is one line meant for the
/// user (what was wrong and, where there is one, the fix), and its class decides the exit code.
/// Anything else that escapes to the CLI is a bug in KernelShim.
/// </summary>
public abstract class KernelShimException : Exception
{
    protected KernelShimException(ErrorClass errorClass, string message, Exception? inner = null)
        : base(message, inner)
    {
        Class = errorClass;
    }

    public ErrorClass Class { get; }
}
