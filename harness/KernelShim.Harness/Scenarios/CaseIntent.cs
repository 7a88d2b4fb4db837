namespace KernelShim.Harness.Scenarios;

/// <summary>
/// What a case means under a policy: a requirement the target must meet, or
/// the reproduction of a known bug (expected on an unpatched kernel; when it
/// stops forming, that is a fix, not a failure).
/// </summary>
public enum CaseIntent
{
    Requirement,
    Reproduction,
}
