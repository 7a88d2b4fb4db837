using KernelShim.Harness.Agent;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Agent;

[TestFixture, Category("Unit")]
public class LineRateTests
{
    [Test]
    public void StartsAtTheAssumedRate()
    {
        var line = new LineRate(50_000);
        Assert.That(line.BytesPerSecond, Is.EqualTo(50_000));
        Assert.That(line.TimeFor(100_000), Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void ASlowerSampleCountsAtOnceAFasterOneAQuarter()
    {
        var line = new LineRate(50_000);
        line.Sample(90_000, TimeSpan.FromSeconds(10));
        Assert.That(line.BytesPerSecond, Is.EqualTo(9_000));
        line.Sample(49_000, TimeSpan.FromSeconds(1));
        Assert.That(line.BytesPerSecond, Is.EqualTo(9_000 + 40_000 / 4));
        Assert.That(line.Samples, Is.EqualTo(2));
    }

    [Test]
    public void TinyOrTimelessSamplesAreIgnoredAndTheRateHasAFloor()
    {
        var line = new LineRate(50_000);
        line.Sample(100, TimeSpan.FromSeconds(10));
        line.Sample(100_000, TimeSpan.Zero);
        Assert.That((line.BytesPerSecond, line.Samples), Is.EqualTo((50_000.0, 0)));
        line.Sample(8_192, TimeSpan.FromHours(1));
        Assert.That(line.BytesPerSecond, Is.EqualTo(LineRate.Floor));
    }
}
