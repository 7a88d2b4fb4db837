using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using NUnit.Framework;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// A request that really blocks in the kernel: free pages wired away down to
/// the kernel's reserve (PRESSURE WIRE) and a few given back, so that the
/// agent can still read its line, then batches of maps that each need a new
/// map entry, until the entry pool must grow and the agent's ioctl sleeps for
/// a page that never comes.  The run must notice within seconds (ddb's ps shows
/// the agent asleep) and carry the sleeping LWP's stack in its verdict.
/// </summary>
[TestFixture, Category("NetBSD")]
public class HangUnderPressureTests
{
    private const ulong MapPages = 1UL << 20;
    /// <summary>About 140 pages of map entries per batch, far more than the margin.</summary>
    private const int OpsPerBatch = 4096;
    private const int MaxBatches = 100;
    /// <summary>Pages given back after wiring down to the reserve: the line's reads and replies.</summary>
    private const ulong Margin = 32;

    [Test]
    public async Task AMapThatSleepsForMemoryIsCaughtWithTheSleepingStack()
    {
        var inputs = NetBsdInputs.From(null, null);
        if (inputs.Missing() is { } missing)
            Assert.Ignore($"NetBSD tests need a kernel and its sys tree: {missing}");
        var progress = (string l) => TestContext.Progress.WriteLine(l);
        await using var setup = await NetBsdSetup.PrepareAsync(inputs, AccelMode.Auto, progress);
        var wall = TimeSpan.FromMinutes(20);
        var run = setup.NewRun(new RunDeadlines { Wall = wall }, progress, out var work);
        int batches = 0;
        ulong wired = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var verdict = await run.RunAsync((s, ready, ct) => Task.Factory.StartNew(() =>
        {
            var client = new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.Kernel, ready.OsVersion) { Deadline = TimeSpan.FromMinutes(5) });
            ulong page = client.Version().page_size;
            uint map = client.CreateMap(MapPages * page, uvmshim_policy.UVMSHIM_POLICY_NOMERGE);
            ulong next = 0;
            for (batches = 0; batches < MaxBatches; batches++)
            {
                wired += WireDownToTheReserve(client);
                // Side by side but never merged: every map needs an entry of its own.
                var ops = Enumerable.Range(0, OpsPerBatch).Select(i => new uvmshim_op
                {
                    kind = (uint)uvmshim_op_kind.UVMSHIM_OP_MAP, addr = (next + (ulong)i) * page, size = page, prot = 3,
                    flags = UvmshimIoctl.UVMSHIM_MAPF_FIXED | UvmshimIoctl.UVMSHIM_MAPF_NOMERGE,
                }).ToArray();
                next += OpsPerBatch;
                client.Batch(map, ops);
            }
            return Verdict.Passed($"{batches} batches of {OpsPerBatch} maps never blocked ({wired} pages wired)");
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default));

        TestContext.Out.WriteLine($"{verdict}\nafter {batches} batch(es), {wired} page(s) wired, {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var e in verdict.Evidence) TestContext.Out.WriteLine($"--- {e.Name}{(e.File is null ? "" : $" ({e.File})")}\n{e.Text}");
        Assert.That(verdict.Kind, Is.AnyOf(VerdictKind.Timeout, VerdictKind.Deadlock), verdict.ToString());
        Assert.That(verdict.Summary, Does.Contain("asleep in the kernel"));
        var ddb = verdict.Evidence.Single(e => e.Name == "ddb").Text;
        Assert.That(ddb, Does.StartWith("[kshim: the parties, from ps]"));
        // The agent's own stack (pid 1, lid 1) comes first: asleep in an allocation made by its map ioctl.
        var agentStack = ddb[..Math.Max(0, ddb.IndexOf("\n[kshim: the rest]", StringComparison.Ordinal))];
        Assert.That(agentStack, Does.Contain("trace: pid 1 lid 1"));
        Assert.That(agentStack, Does.Contain("sleepq_block"));
        Assert.That(agentStack, Does.Match("uvm_km_kmem_alloc|pool_get|uvm_mapent_alloc|uvm_wait"), "asleep waiting for memory");
        Assert.That(clock.Elapsed, Is.LessThan(wall), "caught before the wall deadline");
    }

    /// <summary>Take free pages in shrinking all-or-nothing chunks until not even one more can be had, then give <see cref="Margin"/> back.</summary>
    private static ulong WireDownToTheReserve(UvmshimClient client)
    {
        ulong taken = 0;
        try
        {
            taken = WireAll(client);
        }
        finally
        {
            client.Pressure(uvmshim_pressure_cmd.UVMSHIM_PRESSURE_RELEASE, Margin);
        }
        return taken - Math.Min(taken, Margin);
    }

    private static ulong WireAll(UvmshimClient client)
    {
        ulong taken = 0;
        for (ulong chunk = 4096; chunk > 0; chunk /= 4)
        {
            while (true)
            {
                try
                {
                    client.Pressure(uvmshim_pressure_cmd.UVMSHIM_PRESSURE_WIRE, chunk, UvmshimIoctl.UVMSHIM_PRESSUREF_FORCE);
                    taken += chunk;
                }
                catch (UvmshimException)
                {
                    break; // ENOMEM: fewer than chunk pages left above the reserve
                }
            }
        }
        return taken;
    }
}
