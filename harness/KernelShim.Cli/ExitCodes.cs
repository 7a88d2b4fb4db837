using KernelShim.Harness.Errors;
using KernelShim.Harness.Verdicts;

namespace KernelShim.Cli;

/// <summary>
/// kshim's exit codes, stable for CI scripts, and the one place that maps errors and verdicts to them:
/// an input error (<see cref="ErrorClass.Input"/>) is 2, an infrastructure error 3, a verdict 0 when it
/// is a success and 1 otherwise (except <see cref="VerdictKind.InfrastructureError"/>, 3).
/// Commands throw <see cref="KernelShimException"/>s and return <see cref="For(Verdict)"/>; they do not catch to pick a code.
/// </summary>
public static class ExitCodes
{
    public const int Passed = 0;
    public const int VerdictNotPassed = 1;
    public const int UsageOrInput = 2;
    public const int Infrastructure = 3;
    /// <summary>Interrupted (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it.</summary>
    public const int Interrupted = 130;

    public static int For(ErrorClass c) => c switch
    {
        ErrorClass.Input => UsageOrInput,
        _ => Infrastructure,
    };

    /// <summary>A verdict's exit code: new success kinds count through <see cref="Verdict.IsSuccess"/>.</summary>
    public static int For(Verdict v) => v.IsSuccess ? Passed : For(v.Kind);

    public static int For(VerdictKind k) => k switch
    {
        VerdictKind.Passed => Passed,
        VerdictKind.InfrastructureError => Infrastructure,
        _ => VerdictNotPassed,
    };

    /// <summary>
    /// What an exception that reached the top means: its class for ours; an interruption; anything else is
    /// a bug in KernelShim, reported as an infrastructure error (it says nothing about the kernel or the input).
    /// </summary>
    public static int For(Exception e) => Innermost(e) switch
    {
        KernelShimException k => For(k.Class),
        OperationCanceledException => Interrupted,
        _ => Infrastructure,
    };

    /// <summary>The exception that says what happened: through single-cause Aggregate and TargetInvocation wrappers.</summary>
    public static Exception Innermost(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Innermost(a.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } i } => Innermost(i),
        _ => e,
    };
}
