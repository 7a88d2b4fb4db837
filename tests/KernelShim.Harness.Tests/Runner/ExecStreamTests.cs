using System.Buffers.Binary;
using System.Text;
using Docker.DotNet;
using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

/// <summary>A docker exec stream as a channel: stdout is the data, stderr is set aside, stdin goes out raw.</summary>
[TestFixture, Category("Unit")]
public sealed class ExecStreamTests
{
    private static byte[] Frame(int stream, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = (byte)stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }

    private static ExecStream Over(Stream raw) => new(new MultiplexedStream(raw, multiplexed: true), "exec-1");

    [Test]
    public async Task Reads_return_stdout_only_and_keep_stderr_aside()
    {
        byte[] binary = [0x00, 0x01, (byte)'b', 0xff, 0x1b];
        var raw = new MemoryStream([
            .. Frame(2, Encoding.ASCII.GetBytes("N starting data transfer loop\n")),
            .. Frame(1, binary),
            .. Frame(2, Encoding.ASCII.GetBytes("N socket 2 is at EOF\n")),
            .. Frame(1, Encoding.ASCII.GetBytes("db{0}> ")),
        ]);
        await using var exec = Over(raw);

        using var output = new MemoryStream();
        await exec.CopyToAsync(output);

        Assert.That(output.ToArray(), Is.EqualTo(binary.Concat(Encoding.ASCII.GetBytes("db{0}> "))));
        Assert.That(exec.StandardError, Does.Contain("starting data transfer loop").And.Contain("is at EOF"));
    }

    [Test]
    public async Task Waiting_for_stderr_keeps_the_stdout_that_came_first()
    {
        var raw = new MemoryStream([
            .. Frame(1, Encoding.ASCII.GetBytes("early ")),
            .. Frame(2, Encoding.ASCII.GetBytes("N starting data transfer loop\n")),
            .. Frame(1, Encoding.ASCII.GetBytes("late")),
        ]);
        await using var exec = Over(raw);

        Assert.That(await exec.WaitForStandardErrorAsync(s => s.Contains("transfer loop")), Is.True);
        using var reader = new StreamReader(exec);
        Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("early late"));
    }

    [Test]
    public async Task Waiting_for_stderr_that_never_comes_ends_with_false_at_eof()
    {
        await using var exec = Over(new MemoryStream(Frame(2, Encoding.ASCII.GetBytes("E connect(): No such file\n"))));
        Assert.That(await exec.WaitForStandardErrorAsync(s => s.Contains("transfer loop")), Is.False);
        Assert.That(exec.StandardError, Does.Contain("No such file"));
    }

    [Test]
    public async Task Writes_go_out_unframed_byte_for_byte()
    {
        var raw = new MemoryStream();
        await using var exec = Over(raw);
        byte[] breakThenText = [0x01, (byte)'b', 0x00, 0xff, (byte)'\n'];
        await exec.WriteAsync(breakThenText);
        Assert.That(raw.ToArray(), Is.EqualTo(breakThenText));
    }
}
