using KernelShim.Bindings;
using KernelShim.Harness.Devices;
using KernelShim.Harness.Machine;
using KernelShim.Harness.NetBsd;
using KernelShim.Harness.Runner;
using KernelShim.Harness.Scale;
using KernelShim.Harness.Sessions;
using KernelShim.Harness.Verdicts;
using KernelShim.Harness.WarmStart;
using NUnit.Framework;

namespace KernelShim.NetBsd.Tests;

/// <summary>
/// Warm starts on the kernel under test: a VM started from the state saved at READY is the
/// pristine guest (a map made in one run is absent in the next, which gets the same id), and
/// its agent answers HELLO as the saved boot.
/// </summary>
[TestFixture, Category("NetBSD")]
public class WarmStartTests
{
    [Test]
    public async Task AWarmStartedVmStartsPristine()
    {
        var inputs = NetBsdInputs.From(null, null);
        if (inputs.Missing() is { } missing)
            Assert.Ignore($"NetBSD tests need a kernel and its sys tree: {missing}");
        var progress = (string l) => TestContext.Progress.WriteLine(l);
        var guest = NetBsdGuest.Prepare(inputs, progress);
        var store = Directory.CreateTempSubdirectory("kshim-warm-").FullName;
        await using var place = await VmPlace.OpenAsync(DockerEndpoint.FromEnvironment(), AccelMode.Auto);
        bool ramFile = place.Endpoint.Transfer == TransferMode.Bind;
        var work = new List<string>();
        try
        {
            async Task<Verdict> RunAsync(Func<UvmshimClient, Verdict> body)
            {
                using var slot = await MachineSlots.AcquireAsync(Environment.ProcessorCount, progress);
                var dir = Directory.CreateTempSubdirectory("kshim-nb-").FullName;
                work.Add(dir);
                var spec = guest.Spec(dir, place.Accel);
                var run = new GuestRun(place.Backend(), spec, new RunDeadlines())
                {
                    Target = guest.Target,
                    Progress = progress,
                    RequireModule = true,
                    Warm = new WarmStartOptions(new SavedStateStore(store), WarmStartKey.Compute(guest.WarmKey!, spec, place.Image, ramFile), "test", ramFile),
                };
                var v = await run.RunAsync((s, ready, _) => Task.Factory.StartNew(
                    () => body(new UvmshimClient(new AgentDevice(s.Agent, DeviceKind.Kernel, ready.OsVersion))), TaskCreationOptions.LongRunning));
                TestContext.Out.WriteLine($"{v} [{v.Start}]");
                return v;
            }

            var first = await RunAsync(c =>
            {
                ulong ps = c.Version().page_size;
                uint id = c.CreateMap(16 * ps, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
                c.Map(id, 0, ps, flags: UvmshimIoctl.UVMSHIM_MAPF_FIXED);
                return Verdict.Passed($"{id}");
            });
            Assert.That(first.Kind, Is.EqualTo(VerdictKind.Passed), first.ToString());
            uint map = uint.Parse(first.Summary);

            var second = await RunAsync(c =>
            {
                try
                {
                    c.Stats(map);
                    return Verdict.Failed($"map {map} of the first run exists");
                }
                catch (UvmshimException e) when (e.Errno == 2)
                {
                    ulong ps = c.Version().page_size;
                    uint id = c.CreateMap(16 * ps, uvmshim_policy.UVMSHIM_POLICY_DEFAULT);
                    return id == map ? Verdict.Passed("pristine") : Verdict.Failed($"a new map got id {id}, the first run's got {map}");
                }
            });
            Assert.That(second.Start!.Kind, Is.EqualTo(StartKind.Warm), second.Start.ToString());
            Assert.That(second.Kind, Is.EqualTo(VerdictKind.Passed), second.ToString());
            Assert.That(second.Start.Detail, Does.Contain("answered HELLO"));
        }
        finally
        {
            foreach (var d in work.Append(store)) Directory.Delete(d, recursive: true);
        }
    }
}
