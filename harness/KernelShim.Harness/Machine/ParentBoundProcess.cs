using System.Diagnostics;

namespace KernelShim.Harness.Machine;

/// <summary>
/// Starts a host process that dies with this one, even on SIGKILL (which no cleanup handler sees):
/// it is started through <c>setpriv --pdeathsig KILL</c> (util-linux), which sets PR_SET_PDEATHSIG and
/// execs the program.  Linux sends that signal when the *thread* that forked the child ends, so the
/// fork is made on a dedicated thread that lives until the child exits (a pool thread could retire
/// and kill the child with it).  Without setpriv the process starts unbound, and <see cref="Bound"/> says so.
/// </summary>
public static class ParentBoundProcess
{
    private const string Setpriv = "/usr/bin/setpriv";

    /// <summary>Whether started processes are bound to this one (setpriv is present).</summary>
    public static bool Bound => File.Exists(Setpriv);

    public static Process Start(ProcessStartInfo psi)
    {
        var wrapped = psi;
        if (Bound)
        {
            wrapped = new ProcessStartInfo(Setpriv)
            {
                RedirectStandardInput = psi.RedirectStandardInput,
                RedirectStandardOutput = psi.RedirectStandardOutput,
                RedirectStandardError = psi.RedirectStandardError,
                UseShellExecute = false,
                WorkingDirectory = psi.WorkingDirectory,
            };
            foreach (var a in new[] { "--pdeathsig", "KILL", "--", psi.FileName }.Concat(psi.ArgumentList))
                wrapped.ArgumentList.Add(a);
            foreach (var (k, v) in psi.Environment) wrapped.Environment[k] = v;
        }
        Process? started = null;
        Exception? error = null;
        using var ready = new ManualResetEventSlim();
        var forker = new Thread(() =>
        {
            try
            {
                started = Process.Start(wrapped);
            }
            catch (Exception e)
            {
                error = e;
            }
            ready.Set();
            // Keep this thread (the child's parent for PR_SET_PDEATHSIG) alive as long as the child.
            if (started is null) return;
            try
            {
                using var handle = Process.GetProcessById(started.Id);
                handle.WaitForExit();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Already gone.
            }
        })
        { IsBackground = true, Name = $"parent of {Path.GetFileName(psi.FileName)}" };
        forker.Start();
        ready.Wait();
        if (error is not null) throw error;
        return started ?? throw new InvalidOperationException($"could not start {psi.FileName}");
    }
}
