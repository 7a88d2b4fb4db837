using System.Diagnostics;

namespace KernelShim.Cli.Tests;

/// <summary>What one kshim process did: its exit code and both streams.</summary>
public sealed record KshimResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    /// <summary>A .NET stack trace line ("   at Namespace.Type.Method(...)"), which a user must never see.</summary>
    public bool HasStackTrace => Output.Split('\n').Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && l.Contains('(') && l.Contains('.'))
                                 || Output.Contains("Unhandled exception", StringComparison.Ordinal);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the built CLI (kshim.dll next to this assembly) as a separate process, as a user would.</summary>
public static class Kshim
{
    public static KshimResult Run(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kshim.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["KSHIM_TRACE"] = null;
        foreach (var (k, v) in env ?? new Dictionary<string, string?>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kshim {string.Join(' ', args)} did not finish");
        }
        p.WaitForExit();
        return new KshimResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static KshimResult Run(params string[] args) => Run(args, null);
}
