using KernelShim.Harness.NetBsd;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.NetBsd;

[TestFixture, Category("Unit")]
public class NetBsdVersionTests
{
    [TestCase(799000400, "7.99.4")]
    [TestCase(899004300, "8.99.43")]
    [TestCase(999005900, "9.99.59")]
    [TestCase(999010000, "9.99.100")]
    [TestCase(1099001200, "10.99.12")]
    [TestCase(1000000000, "10.0")]
    [TestCase(1001000000, "10.1")]
    [TestCase(904000000, "9.4")]
    public void PrintsAsNetBsdDoes(int value, string text) => Assert.That(new NetBsdVersion(value).ToString(), Is.EqualTo(text));
}
