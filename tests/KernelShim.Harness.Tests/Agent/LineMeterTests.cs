using KernelShim.Harness.Agent;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Agent;

[TestFixture, Category("Unit")]
public class LineMeterTests
{
    [Test]
    public void TheCautiousRateTakesASlowerTransferAtOnceAndAFasterOneAQuarter()
    {
        var meter = new LineMeter();
        Assert.That(meter.CautiousBytesPerSecond(50_000), Is.EqualTo(50_000), "assumed until measured");
        meter.Transferred(90_000, TimeSpan.FromSeconds(10));
        Assert.That(meter.CautiousBytesPerSecond(50_000), Is.EqualTo(9_000));
        meter.Answered(49_000, TimeSpan.FromSeconds(1));
        Assert.That(meter.CautiousBytesPerSecond(50_000), Is.EqualTo(9_000 + 40_000 / 4));
        Assert.That(meter.BytesPerSecond(50_000), Is.EqualTo(49_000), "the best rate is the largest answer sample");
    }

    [Test]
    public void TinyOrTimelessTransfersAreIgnoredAndTheCautiousRateHasAFloor()
    {
        var meter = new LineMeter();
        meter.Transferred(100, TimeSpan.FromSeconds(10));
        meter.Transferred(100_000, TimeSpan.Zero);
        Assert.That(meter.CautiousBytesPerSecond(50_000), Is.EqualTo(50_000));
        meter.Transferred(8_192, TimeSpan.FromHours(1));
        Assert.That(meter.CautiousBytesPerSecond(50_000), Is.EqualTo(1_000));
    }
}
