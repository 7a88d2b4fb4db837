namespace KernelShim.Harness.Errors;

/// <summary>
/// What an error says about whom: the user's input, or the machine the harness runs on.
/// (A kernel's behaviour is never an exception: it is a <see cref="Verdicts.Verdict"/>.)
/// The CLI maps each class to its exit code in one place (KernelShim.Cli.ExitCodes).
/// </summary>
public enum ErrorClass
{
    /// <summary>A bad argument, file, environment variable or scenario: the user can fix it.</summary>
    Input,
    /// <summary>Docker, QEMU, the image, the file system, a build: says nothing about the kernel.</summary>
    Infrastructure,
}
