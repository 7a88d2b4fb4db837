namespace KernelShim.Cli;

/// <summary>kshim's exit codes, stable for CI scripts.</summary>
public static class ExitCodes
{
    public const int Passed = 0;
    public const int VerdictNotPassed = 1;
    public const int UsageOrInput = 2;
    public const int Infrastructure = 3;
}
