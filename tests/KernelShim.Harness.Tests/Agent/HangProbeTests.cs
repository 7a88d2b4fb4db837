using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Agent;

/// <summary>
/// The client's hang detection against a scripted agent: a request accepted and
/// then silent past its allowance asks the probe; a stuck answer ends it at once
/// with the probe's reason, an alive answer lets it run on to its answer.
/// </summary>
[TestFixture, Category("Unit")]
public class HangProbeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly AgentClientOptions Quick = new()
    {
        ResendAfter = TimeSpan.FromMilliseconds(300),
        OverdueAfter = TimeSpan.FromMilliseconds(300),
        AcceptedResendAfter = TimeSpan.FromSeconds(30),
    };

    [Test]
    public async Task AnAcceptedRequestThatGoesQuietEndsWithTheProbesReasonLongBeforeItsDeadline()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Quick);
        await using var _ = client;
        await using var __ = agent;
        agent.ExecutionTime = TimeSpan.FromSeconds(8); // far beyond the 0.3 s allowance (disposal waits for it)
        AgentSilence? asked = null;
        client.HangProbe = (s, _) => { asked = s; return Task.FromResult(new AgentHangVerdict(true, "asleep on \"plpg\"")); };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var e = Assert.ThrowsAsync<AgentHangException>(() =>
            client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline));

        TestContext.Out.WriteLine($"{e!.Message} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.That(asked, Is.Not.Null);
        Assert.That(asked!.Accepted, Is.True);
        Assert.That(e.Why, Is.EqualTo("asleep on \"plpg\""));
        Assert.That(client.Stats.Probes, Is.EqualTo(1));
        Assert.That(client.Stats.Resends, Is.Zero, "an accepted request is not resent to ask");
    }

    [Test]
    public async Task AProbeThatFindsTheGuestAliveLetsTheRequestFinish()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Quick);
        await using var _ = client;
        await using var __ = agent;
        agent.ExecutionTime = TimeSpan.FromSeconds(2.5);
        client.HangProbe = (_, _) => Task.FromResult(new AgentHangVerdict(false, "on the CPU"));

        var answer = await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline);

        Assert.That(ReadyInfo.Parse(answer).BootId, Is.EqualTo(0x1111UL));
        Assert.That(client.Stats.Probes, Is.GreaterThanOrEqualTo(1), "the run outlasted the first allowance");
        Assert.That(client.Stats.Resends, Is.Zero);
        Assert.That(agent.Executions, Is.EqualTo(1));
    }

    [Test]
    public async Task ARequestNeverAcceptedAsksTheProbeAfterTwoSends()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Quick);
        await using var _ = client;
        await using var __ = agent;
        agent.DropNextRequests = 1000;
        client.HangProbe = (s, _) => Task.FromResult(new AgentHangVerdict(true, $"not accepted after {s.Sends} sends"));

        var e = Assert.ThrowsAsync<AgentHangException>(() =>
            client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline));

        Assert.That(e!.Silence.Accepted, Is.False);
        Assert.That(e.Silence.Sends, Is.EqualTo(2));
    }

    [Test]
    public async Task ARequestThatDeclaresNoBoundIsLeftToItsDeadline()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Quick);
        await using var _ = client;
        await using var __ = agent;
        agent.ExecutionTime = TimeSpan.FromSeconds(1.5);
        client.HangProbe = (_, _) => Task.FromResult(new AgentHangVerdict(true, "should not be asked"));

        await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline, work: Timeout.InfiniteTimeSpan);

        Assert.That(client.Stats.Probes, Is.Zero);
    }

    [Test]
    public void TheAllowanceGrowsWithTheSlowestAcceptedAndTheMeasuredRate()
    {
        var meter = new LineMeter();
        Assert.That(meter.BytesPerSecond(50_000), Is.EqualTo(50_000), "nothing measured: the assumed rate");
        meter.Answered(100, TimeSpan.FromSeconds(10));
        Assert.That(meter.Measured, Is.False, "too small to say anything about the line");
        meter.Answered(26_000, TimeSpan.FromSeconds(1));
        meter.Answered(10_000, TimeSpan.FromSeconds(1));
        Assert.That(meter.BytesPerSecond(50_000), Is.EqualTo(26_000), "the best lower bound");
        meter.AcceptedAfter(TimeSpan.FromMilliseconds(40));
        meter.AcceptedAfter(TimeSpan.FromMilliseconds(900));
        Assert.That(meter.SlowestAccept, Is.EqualTo(TimeSpan.FromMilliseconds(900)));
    }
}
