using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Scale;

[TestFixture, Category("Unit")]
public class SlotSchedulerTests
{
    private static readonly DockerEndpoint A = DockerEndpoint.Parse("tcp://10.0.0.1:2375");
    private static readonly DockerEndpoint B = DockerEndpoint.Parse("tcp://10.0.0.2:2375");

    private static SlotPlan Plan(params (DockerEndpoint E, int Slots)[] e) =>
        new([.. e.Select(x => new EndpointSlots(x.E, x.E.Uri.Host, x.Slots, "test"))], []);

    [Test]
    public async Task RunsAsManyJobsAtOnceAsThereAreSlotsAndNeverMore()
    {
        int running = 0, peak = 0;
        var scheduler = new SlotScheduler<int, int>(Plan((A, 2), (B, 1)));
        var placed = await scheduler.RunAsync([.. Enumerable.Range(0, 9)], async (job, _, _, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(60, ct);
            Interlocked.Decrement(ref running);
            return new JobOutcome<int>(job * 10);
        }, (_, _) => -1);
        Assert.That(peak, Is.EqualTo(3));
        Assert.That(placed.Select(p => p.Result), Is.EqualTo(Enumerable.Range(0, 9).Select(i => i * 10)), "results come back in job order");
        Assert.That(placed.Select(p => p.Endpoint), Has.All.Not.Null);
        Assert.That(placed.Count(p => p.Endpoint == B), Is.GreaterThan(0), "every endpoint took work");
    }

    [Test]
    public async Task AnEndpointThatFailsIsRetiredAndItsJobRunsElsewhere()
    {
        var retired = new List<DockerEndpoint>();
        var scheduler = new SlotScheduler<int, string>(Plan((A, 1), (B, 1))) { OnRetired = (e, _) => { lock (retired) retired.Add(e); } };
        var placed = await scheduler.RunAsync([.. Enumerable.Range(0, 6)], async (job, slots, _, ct) =>
        {
            await Task.Delay(20, ct);
            return slots.Endpoint == A ? new JobOutcome<string>("engine gone", EndpointFailed: true) : new JobOutcome<string>("ok");
        }, (_, why) => why);
        Assert.That(retired, Is.EqualTo(new[] { A }));
        Assert.That(placed.Select(p => p.Result), Has.All.EqualTo("ok"));
        Assert.That(placed.Select(p => p.Endpoint), Has.All.EqualTo(B));
        Assert.That(placed.Count(p => p.FailedOn.Contains(A)), Is.EqualTo(1), "the one job A failed under says so");
    }

    [Test]
    public async Task JobsLeftWhenEveryEndpointIsRetiredAreReportedAsNotRun()
    {
        var scheduler = new SlotScheduler<int, string>(Plan((A, 1), (B, 1)));
        var placed = await scheduler.RunAsync([.. Enumerable.Range(0, 5)], async (_, _, _, ct) =>
        {
            await Task.Delay(10, ct);
            return new JobOutcome<string>("engine gone", EndpointFailed: true);
        }, (_, why) => why);
        Assert.That(placed, Has.Count.EqualTo(5));
        Assert.That(placed.Count(p => p.Endpoint is null), Is.GreaterThanOrEqualTo(3));
        Assert.That(placed.Where(p => p.Endpoint is null).Select(p => p.Result), Has.All.StartWith("not run: every endpoint was retired"));
        Assert.That(placed.Where(p => p.Endpoint is not null).Select(p => p.Result), Has.All.EqualTo("engine gone"));
    }

    [Test]
    public async Task AJobThatComesBackIsNotLostWhenTheOtherWorkersAreIdle()
    {
        // B finishes its only job at once; A's job fails late and must still reach B.
        var scheduler = new SlotScheduler<int, string>(Plan((A, 1), (B, 1)));
        var placed = await scheduler.RunAsync([0, 1], async (job, slots, _, ct) =>
        {
            if (slots.Endpoint == A) { await Task.Delay(300, ct); return new JobOutcome<string>("gone", true); }
            return new JobOutcome<string>($"ok {job}");
        }, (_, why) => why);
        Assert.That(placed.Select(p => p.Result), Has.All.StartWith("ok"));
    }

    [Test]
    public async Task AJobThatThrowsGetsAResultAndTheOthersRun()
    {
        var placed = await new SlotScheduler<int, string>(Plan((A, 2))).RunAsync([0, 1, 2, 3], async (job, _, _, ct) =>
        {
            await Task.Delay(10, ct);
            if (job == 1) throw new InvalidDataException("bad frame");
            return new JobOutcome<string>($"ok {job}");
        }, (_, why) => why);
        Assert.That(placed.Select(p => p.Result), Is.EqualTo(new[]
        {
            "ok 0", "the harness failed on this job: InvalidDataException: bad frame", "ok 2", "ok 3",
        }));
        Assert.That(placed[1].Endpoint, Is.EqualTo(A));
    }

    [Test]
    public void APlanWithoutSlotsIsRefused() =>
        Assert.ThrowsAsync<InvalidOperationException>(() =>
            new SlotScheduler<int, int>(Plan((A, 0))).RunAsync([1], (_, _, _, _) => Task.FromResult(new JobOutcome<int>(1)), (_, _) => 0));

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
