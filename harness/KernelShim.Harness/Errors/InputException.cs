namespace KernelShim.Harness.Errors;

/// <summary>A bad input with no more specific type: an option value, a directory, a file to write.</summary>
public sealed class InputException(string message, Exception? inner = null)
    : KernelShimException(ErrorClass.Input, message, inner);
