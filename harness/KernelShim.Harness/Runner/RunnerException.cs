namespace KernelShim.Harness.Runner;

/// <summary>The runner could not do what was asked (container, image or engine trouble).</summary>
public class RunnerException : Errors.KernelShimException
{
    public RunnerException(string message) : base(Errors.ErrorClass.Infrastructure, message) { }

    public RunnerException(string message, Exception inner) : base(Errors.ErrorClass.Infrastructure, message, inner) { }
}
