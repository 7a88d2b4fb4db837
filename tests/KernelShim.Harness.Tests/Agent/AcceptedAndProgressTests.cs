using KernelShim.Bindings;
using KernelShim.Harness.Agent;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Agent;

/// <summary>
/// Protocol 2: ACCEPTED tells a busy guest from a lost frame, PROGRESS paces
/// long frames; a protocol 1 agent must still work on the old timers.
/// </summary>
[TestFixture, Category("Unit")]
public class AcceptedAndProgressTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>An old budget of 2 x 200 ms, far below the runs below.</summary>
    private static readonly AgentClientOptions Tight = new()
    {
        ResendAfter = TimeSpan.FromMilliseconds(200),
        MaxAttempts = 2,
        AcceptedResendAfter = TimeSpan.FromSeconds(10),
    };

    /// <summary>A HELLO that must come back with the scripted agent's boot id.</summary>
    private static async Task HelloAsync(AgentClient client)
    {
        var answer = await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline);
        Assert.That(ReadyInfo.Parse(answer).BootId, Is.EqualTo(0x1111UL));
    }

    [Test]
    public async Task AnAcceptedRequestMayRunLongerThanTheResendBudgetWithoutResends()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Tight);
        await using var _ = client;
        await using var __ = agent;
        agent.ExecutionTime = TimeSpan.FromSeconds(1.5);
        await HelloAsync(client);
        Assert.That(client.Stats.Accepted, Is.EqualTo(1));
        Assert.That(client.Stats.Resends, Is.Zero);
        Assert.That(agent.Executions, Is.EqualTo(1));
    }

    [Test]
    public async Task AnAgentWithoutAcceptedWorksOnTheOldTimers()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(
            new AgentClientOptions { ResendAfter = TimeSpan.FromMilliseconds(200) }, protocolVersion: 1);
        await using var _ = client;
        await using var __ = agent;
        // Longer than one resend timer: resent, answered once, the rest replays.
        agent.ExecutionTime = TimeSpan.FromMilliseconds(500);
        await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), Deadline);
        Assert.That(client.Stats.Accepted, Is.Zero);
        Assert.That(client.Stats.Resends, Is.GreaterThan(0));
        Assert.That(agent.Executions, Is.EqualTo(1));
        // Long frames go whole: a protocol 1 agent sends no PROGRESS to wait for.
        agent.ExecutionTime = TimeSpan.Zero;
        agent.ReadPause = TimeSpan.FromMilliseconds(10);
        await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, new byte[200_000], Deadline);
        Assert.That(client.Stats.WindowStalls, Is.Zero);
        Assert.That(agent.ProgressSent, Is.Zero);
        Assert.That(agent.Executions, Is.EqualTo(2));
    }

    [Test]
    public async Task AGarbledAnswerAfterAcceptedIsRecoveredByReplay()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Tight);
        await using var _ = client;
        await using var __ = agent;
        agent.ExecutionTime = TimeSpan.FromSeconds(1);
        agent.GarbleNextAnswers = 1;
        await HelloAsync(client);
        Assert.That(client.Stats.FramesBadCrc, Is.EqualTo(1));
        // At least the one resend the garbled answer needs.  On a busy machine
        // the 200 ms timer may also fire before ACCEPTED arrives, which is a
        // resend too; what matters is that the request ran once and the
        // answer came from the agent's replay cache.
        Assert.That(client.Stats.Resends, Is.GreaterThanOrEqualTo(1));
        Assert.That(agent.Executions, Is.EqualTo(1), "replayed, never executed twice");
    }

    [Test]
    public async Task SilenceAfterAcceptedIsResentSlowlyWithoutCountingAttempts()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Tight with
        {
            MaxAttempts = 1,
            AcceptedResendAfter = TimeSpan.FromMilliseconds(400),
        });
        await using var _ = client;
        await using var __ = agent;
        agent.DropNextAnswers = 2;
        await HelloAsync(client);
        Assert.That(client.Stats.Resends, Is.EqualTo(2));
        Assert.That(agent.Executions, Is.EqualTo(1));
    }

    [Test]
    public async Task AnAcceptedRequestStillEndsAtItsDeadline()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync(Tight);
        await using var _ = client;
        await using var __ = agent;
        agent.ExecutionTime = TimeSpan.FromSeconds(3);
        var e = Assert.ThrowsAsync<AgentTimeoutException>(() =>
            client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, Array.Empty<byte>(), TimeSpan.FromSeconds(1)));
        Assert.That(e!.Message, Does.Contain("accepted by the agent"));
    }

    [Test]
    public async Task LongFramesGoAWindowAtATime()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        agent.ReadPause = TimeSpan.FromMilliseconds(10);
        await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, new byte[300_000], Deadline);
        Assert.That(agent.Executions, Is.EqualTo(1));
        // Paced: never more in flight than a window, in many reports.
        Assert.That(agent.MostBeyondProgress, Is.InRange(KshimAgentProto.KSHIM_PROGRESS_EVERY, KshimAgentProto.KSHIM_PROGRESS_WINDOW));
        Assert.That(agent.ProgressSent, Is.GreaterThanOrEqualTo(300_000 / (int)KshimAgentProto.KSHIM_PROGRESS_WINDOW));
        Assert.That(client.Stats.WindowStalls, Is.Zero);
        Assert.That(client.Stats.Resends, Is.Zero);
    }

    /// <summary>
    /// The deadline bounds the guest's silence, not the line's speed: a long
    /// frame that keeps moving (here at least ten windows, each behind a
    /// 300 ms read pause: 3 s or more) outlives a 1 s deadline, because each
    /// PROGRESS restarts it.  A loaded machine's slow line is not a hang.
    /// </summary>
    [Test]
    public async Task ALongTransferThatKeepsProgressingOutlivesItsDeadline()
    {
        var (client, agent) = await AgentClientTests.ConnectAsync();
        await using var _ = client;
        await using var __ = agent;
        agent.ReadPause = TimeSpan.FromMilliseconds(300);
        var deadline = TimeSpan.FromSeconds(1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await client.RequestAsync(kshim_frame_type.KSHIM_FRAME_HELLO, new byte[300_000], deadline);
        Assert.That(watch.Elapsed, Is.GreaterThan(deadline), "the transfer alone took longer than the deadline");
        Assert.That(agent.Executions, Is.EqualTo(1));
        Assert.That(client.Meter.CautiousBytesPerSecond(0), Is.GreaterThan(0).And.LessThan(300_000 / deadline.TotalSeconds),
            "the transfer measured the line, slower than the deadline would allow");
    }
}
