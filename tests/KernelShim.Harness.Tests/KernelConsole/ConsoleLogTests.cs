using System.Text;
using KernelShim.Harness.KernelConsole;
using KernelShim.Harness.Tests.Agent;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.KernelConsole;

[TestFixture, Category("Unit")]
public class ConsoleLogTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Test]
    public async Task PanicSplitAcrossChunksIsOneEventAndThePromptIsSeenWithoutNewline()
    {
        var (host, guest) = DuplexPipe.Create();
        var watcher = new ConsoleWatcher();
        var path = Path.GetTempFileName();
        await using (var log = new ConsoleLog(host, watcher, path))
        {
            await guest.WriteAsync("NetBSD 7.99.4\r\npan"u8.ToArray());
            await guest.FlushAsync();
            await Task.Delay(50);
            await guest.WriteAsync("ic: boom\r\nStopped in pid 0.5 (system) at netbsd:breakpoint+0x5: leave\r\ndb{0}> "u8.ToArray());
            await guest.FlushAsync();
            var prompt = await watcher.WaitForAsync(e => e.Kind == ConsoleEventKind.DdbPrompt, Wait);
            Assert.That(prompt.Detail, Is.EqualTo("0"));
            Assert.That(watcher.Events.Count(e => e.Kind == ConsoleEventKind.Panic), Is.EqualTo(1));
            Assert.That(watcher.FirstFatal!.Detail, Is.EqualTo("boom"));
            Assert.That(log.Tail(), Does.EndWith("db{0}> "));

            // The typed command is echoed after the prompt: no second prompt event.
            await guest.WriteAsync("bt\r\n"u8.ToArray());
            await guest.FlushAsync();
            await Task.Delay(100);
            Assert.That(watcher.Events.Count(e => e.Kind == ConsoleEventKind.DdbPrompt), Is.EqualTo(1));
        }
        var file = await File.ReadAllTextAsync(path);
        Assert.That(file, Does.Match(@"\[\s*\d+\.\d{3}\] panic: boom"));
        File.Delete(path);
    }

    [Test]
    public async Task TypingEscapesQemusMuxCharacterAndBreakDoesNot()
    {
        var (host, guest) = DuplexPipe.Create();
        await using var log = new ConsoleLog(host, new ConsoleWatcher());
        await log.TypeAsync("a\u0001b");
        await log.SendBreakAsync();
        var buf = new byte[16];
        int n = 0;
        while (n < 6) n += await guest.ReadAsync(buf.AsMemory(n));
        Assert.That(buf[..n], Is.EqualTo(new byte[] { (byte)'a', 1, 1, (byte)'b', 1, (byte)'b' }));
    }

    [Test]
    public async Task WaitersLearnThatTheConsoleClosed()
    {
        var (host, guest) = DuplexPipe.Create();
        var watcher = new ConsoleWatcher();
        await using var log = new ConsoleLog(host, watcher);
        var wait = watcher.WaitForAsync(e => e.Kind == ConsoleEventKind.DdbPrompt, Wait);
        await guest.DisposeAsync();
        Assert.ThrowsAsync<ConsoleClosedException>(() => wait);
    }
}
