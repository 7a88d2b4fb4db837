namespace KernelShim.Harness.Machine;

/// <summary>Turns a requested <see cref="AccelMode"/> into a choice, never silently.</summary>
public static class AccelSelector
{
    public static AccelChoice Choose(AccelMode requested, HostVirtualization host)
    {
        var whyNot = host.WhyNotKvm();
        return requested switch
        {
            AccelMode.Tcg => new AccelChoice(AccelMode.Tcg, "requested"),
            AccelMode.Kvm when whyNot is null => new AccelChoice(AccelMode.Kvm, "requested; VT-x/AMD-V present"),
            AccelMode.Kvm => throw new Errors.InputException($"--accel kvm: KVM cannot be used here: {whyNot}; use --accel auto or tcg"),
            _ when whyNot is null => new AccelChoice(AccelMode.Kvm, "auto: VT-x/AMD-V present"),
            _ => new AccelChoice(AccelMode.Tcg, $"auto: {whyNot}"),
        };
    }
}
