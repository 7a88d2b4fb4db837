using System.Formats.Tar;
using KernelShim.Harness.Runner;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.Runner;

/// <summary>What copy mode uploads: host files at their own paths, symlinks followed, plus empty directories.</summary>
[TestFixture, Category("Unit")]
public sealed class SamePathArchiveTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("kshim-tar-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private static async Task<List<(string Name, TarEntryType Type, byte[] Data)>> ReadAsync(Stream tar)
    {
        var entries = new List<(string, TarEntryType, byte[])>();
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            using var data = new MemoryStream();
            if (entry.DataStream is not null) await entry.DataStream.CopyToAsync(data);
            entries.Add((entry.Name, entry.EntryType, data.ToArray()));
        }
        return entries;
    }

    [Test]
    public async Task Files_land_at_their_own_paths_and_links_are_followed()
    {
        var kernel = Path.Combine(_dir, "kernel");
        byte[] bytes = [0x7f, (byte)'E', (byte)'L', (byte)'F', 0, 1, 0xff];
        await File.WriteAllBytesAsync(kernel, bytes);
        var link = Path.Combine(_dir, "kernel.link");
        File.CreateSymbolicLink(link, kernel);
        var work = Path.Combine(_dir, "work");

        using var tar = new MemoryStream();
        await SamePathArchive.WriteAsync(tar, [link], [work], CancellationToken.None);
        tar.Position = 0;
        var entries = await ReadAsync(tar);

        Assert.That(entries.Select(e => (e.Name, e.Type)), Is.EqualTo(new[]
        {
            (work.TrimStart('/') + "/", TarEntryType.Directory),
            (link.TrimStart('/'), TarEntryType.RegularFile),
        }));
        Assert.That(entries[1].Data, Is.EqualTo(bytes), "the link's target's bytes, unchanged");
    }

    [Test]
    public void A_missing_input_is_named_before_anything_is_sent()
    {
        var missing = Path.Combine(_dir, "no-such-kernel");
        var sent = false;
        var error = Assert.ThrowsAsync<FileNotFoundException>(() => SamePathArchive.UploadAsync(
            [missing], [_dir], _ => { sent = true; return Task.CompletedTask; }, CancellationToken.None));
        Assert.That(error!.Message, Does.Contain(missing));
        Assert.That(sent, Is.False);
    }

    [Test]
    public async Task Upload_streams_the_archive_through_a_pipe()
    {
        var disk = Path.Combine(_dir, "disk.img");
        var bytes = new byte[3 << 20];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(disk, bytes);

        using var received = new MemoryStream();
        await SamePathArchive.UploadAsync([disk], [], body => body.CopyToAsync(received), CancellationToken.None);
        received.Position = 0;
        var entries = await ReadAsync(received);

        Assert.That(entries.Single().Data, Is.EqualTo(bytes));
    }

    [Test]
    public void An_upload_that_fails_leaves_no_writer_blocked()
    {
        var disk = Path.Combine(_dir, "disk.img");
        File.WriteAllBytes(disk, new byte[8 << 20]);
        var error = Assert.ThrowsAsync<IOException>(() => SamePathArchive.UploadAsync(
            [disk], [], _ => throw new IOException("engine went away"), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.That(error!.Message, Is.EqualTo("engine went away"));
    }
}
