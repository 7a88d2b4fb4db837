namespace KernelShim.Harness.Machine;

/// <summary>How QEMU executes guest code.</summary>
public enum AccelMode
{
    /// <summary>KVM where the host really has VT-x/AMD-V, TCG otherwise.</summary>
    Auto,
    /// <summary>QEMU's software emulation: works everywhere, slower.</summary>
    Tcg,
    /// <summary>Hardware virtualisation through /dev/kvm.</summary>
    Kvm,
}

/// <summary>The accelerator chosen for a run and why; printed and recorded in every report.</summary>
public sealed record AccelChoice(AccelMode Mode, string Reason)
{
    public string QemuName => Mode == AccelMode.Kvm ? "kvm" : "tcg";
    public override string ToString() => $"{QemuName} ({Reason})";
}
