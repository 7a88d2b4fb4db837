using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KernelShim.Cli;

/// <summary>
/// The controlling terminal in raw mode for an interactive console (cfmakeraw: no line editing, no echo,
/// no signals, so Ctrl-C goes to the guest and Ctrl-] reaches us as 0x1d), restored on dispose; and stdin
/// read as bytes.  Done with tcsetattr in this process: an stty child would not do, since .NET puts back its
/// own terminal settings whenever a child process exits; and .NET's Console stream on a terminal edits lines
/// (nothing arrives before Enter), hence <see cref="Input"/> reads fd 0 directly.  Does nothing to a pipe.
/// </summary>
public sealed partial class RawTerminal : IDisposable
{
    private const int StdinFd = 0;
    private const int TcsaNow = 0;
    private readonly byte[]? _saved;

    private RawTerminal(byte[]? saved, Stream input)
    {
        _saved = saved;
        Input = input;
    }

    /// <summary>Keystrokes (or piped bytes) as they come.</summary>
    public Stream Input { get; }

    public static RawTerminal Enter()
    {
        if (Console.IsInputRedirected) return new RawTerminal(null, Console.OpenStandardInput());
        var input = new FileStream(new SafeFileHandle(StdinFd, ownsHandle: false), FileAccess.Read, bufferSize: 0);
        // struct termios is 60 bytes on Linux; a larger opaque buffer is safe for tcgetattr/cfmakeraw/tcsetattr.
        var saved = new byte[256];
        if (TcGetAttr(StdinFd, saved) != 0) return new RawTerminal(null, input);
        var raw = (byte[])saved.Clone();
        CfMakeRaw(raw);
        return TcSetAttr(StdinFd, TcsaNow, raw) == 0 ? new RawTerminal(saved, input) : new RawTerminal(null, input);
    }

    public void Dispose()
    {
        if (_saved is not null) TcSetAttr(StdinFd, TcsaNow, _saved);
    }

    [LibraryImport("libc", EntryPoint = "tcgetattr")]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr")]
    private static partial int TcSetAttr(int fd, int optionalActions, [In] byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw([In, Out] byte[] termios);
}
