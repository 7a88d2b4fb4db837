namespace KernelShim.Harness.Runner;

/// <summary>The runner could not do what was asked (container, image or engine trouble).</summary>
public class RunnerException : Exception
{
    public RunnerException(string message) : base(message) { }

    public RunnerException(string message, Exception inner) : base(message, inner) { }
}
