using System.Diagnostics;

namespace KernelShim.Cli;

/// <summary>
/// Puts the controlling terminal in raw mode (stty raw -echo) for an interactive console and restores
/// its saved settings on dispose.  Does nothing when stdin is not a terminal (a pipe is already raw).
/// </summary>
public sealed class RawTerminal : IDisposable
{
    private readonly string? _saved;

    private RawTerminal(string? saved) => _saved = saved;

    public static RawTerminal Enter()
    {
        if (Console.IsInputRedirected) return new RawTerminal(null);
        var saved = Stty("-g");
        if (saved is null) return new RawTerminal(null);
        Stty("raw", "-echo");
        return new RawTerminal(saved.Trim());
    }

    public void Dispose()
    {
        if (_saved is not null) Stty(_saved);
    }

    /// <summary>Runs stty on our own terminal (stdin inherited); its output, or null when it failed.</summary>
    private static string? Stty(params string[] args)
    {
        var psi = new ProcessStartInfo("stty") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
