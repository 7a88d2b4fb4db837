namespace KernelShim.Harness.Validation;

/// <summary>
/// What a patch did to a case (and, the worst of them, to the suite), in
/// rising precedence: SAME, CHANGED (a measured value moved: entry counts,
/// allocations under the lock, time beyond noise), FIXED (a reproduced bug
/// no longer forms, or a failing requirement is now met), REGRESSION (a
/// requirement newly failing, or a deadlock, panic or hang that appears).
/// </summary>
public enum PatchVerdict
{
    Same,
    Changed,
    Fixed,
    Regression,
}
