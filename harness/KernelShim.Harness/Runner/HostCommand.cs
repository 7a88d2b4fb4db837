using System.Diagnostics;
using System.Text;

namespace KernelShim.Harness.Runner;

/// <summary>The outcome of a host command.</summary>
internal sealed record HostCommandResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs a host program (the image build and engine scripts), capturing and optionally echoing its output.</summary>
internal static class HostCommand
{
    public static async Task<HostCommandResult> RunAsync(
        string file, IEnumerable<string> args, TextWriter? log, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;

        using var process = Process.Start(info) ?? throw new RunnerException($"cannot start {file}");
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var outTask = PumpAsync(process.StandardOutput, stdout, log);
        var errTask = PumpAsync(process.StandardError, stderr, log);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        await Task.WhenAll(outTask, errTask).ConfigureAwait(false);
        return new HostCommandResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink, TextWriter? log)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (sink)
                sink.AppendLine(line);
            if (log is not null)
                lock (log)
                    log.WriteLine(line);
        }
    }
}
