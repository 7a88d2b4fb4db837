using System.CommandLine;
using KernelShim.Harness.Inputs;
using KernelShim.Harness.NetBsd;
using Spectre.Console;

namespace KernelShim.Cli.Commands;

/// <summary>`kshim fetch --release V`: download, verify and cache a release's kernel and syssrc.tgz.</summary>
public static class FetchCommand
{
    public static Command Create()
    {
        var release = new Option<string>("--release") { Description = "a NetBSD release from vm-images/releases/netbsd-amd64.json, e.g. 10.1", Required = true };
        var insecure = new Option<bool>("--insecure") { Description = "accept artifacts that have no pinned SHA-512" };
        var offline = new Option<bool>("--offline") { Description = "never use the network; only the cache" };
        var cmd = new Command("fetch", "Download (resumable, verified, cached) a release's kernel and sys sources") { release, insecure, offline };
        cmd.SetAction((pr, ct) => RunAsync(pr.GetValue(release)!, pr.GetValue(insecure), pr.GetValue(offline), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(string version, bool insecure, bool offline, CancellationToken ct)
    {
        var r = ReleaseManifest.Find(ReleaseManifest.Load(ReleaseManifest.DefaultPath), version);
        var fetcher = new Fetcher(Fetcher.DefaultCache, new FetchOptions
        {
            Insecure = insecure,
            Offline = offline,
            Progress = (got, total) => { if (got % (4 << 20) < 81920) Console.Error.Write($"\r{got >> 20} MiB{(total is { } t ? $" of {t >> 20} MiB" : "")}   "); },
        });
        try
        {
            var kernel = await fetcher.FetchAsync(r.Kernel.ToArtifact(), ct);
            var sys = await fetcher.FetchAsync(r.SysSrc.ToArtifact(), ct);
            AnsiConsole.MarkupLineInterpolated($"NetBSD {r.Version}: --kernel {kernel} --sys {sys}");
            return ExitCodes.Passed;
        }
        finally
        {
            Console.Error.WriteLine(); // ends the progress line, whatever happened
        }
    }
}
