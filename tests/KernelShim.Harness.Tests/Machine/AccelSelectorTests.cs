using KernelShim.Harness.Machine;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Machine;

[TestFixture, Category("Unit")]
public class AccelSelectorTests
{
    private static readonly HostVirtualization RealVtx = new(true, true, true, false);
    private static readonly HostVirtualization Paravirtual = new(true, true, false, true);
    private static readonly HostVirtualization NoDevice = new(false, false, true, false);

    [Test]
    public void AutoPicksKvmOnlyWithRealHardwareSupport()
    {
        Assert.That(AccelSelector.Choose(AccelMode.Auto, RealVtx).Mode, Is.EqualTo(AccelMode.Kvm));
        var pv = AccelSelector.Choose(AccelMode.Auto, Paravirtual);
        Assert.That(pv.Mode, Is.EqualTo(AccelMode.Tcg));
        Assert.That(pv.Reason, Does.Contain("paravirtual"));
        Assert.That(AccelSelector.Choose(AccelMode.Auto, NoDevice).Reason, Does.Contain("no /dev/kvm"));
    }

    [Test]
    public void RequestedKvmThatCannotWorkIsAnErrorNotAFallback() =>
        Assert.Throws<KernelShim.Harness.Errors.InputException>(() => AccelSelector.Choose(AccelMode.Kvm, Paravirtual));

    [Test]
    public void TcgIsAlwaysHonoured() =>
        Assert.That(AccelSelector.Choose(AccelMode.Tcg, RealVtx).ToString(), Is.EqualTo("tcg (requested)"));
}
