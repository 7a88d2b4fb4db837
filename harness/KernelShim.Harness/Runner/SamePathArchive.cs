using System.Formats.Tar;
using System.IO.Pipelines;

namespace KernelShim.Harness.Runner;

/// <summary>
/// A tar stream that recreates host files at their own absolute paths when extracted at "/" in a
/// container, plus (empty) directories: what <see cref="TransferMode.Copy"/> uploads so that the QEMU
/// command line, which names host paths, is right inside the container too.  Symlinks are followed:
/// QEMU opens the path, and the content is what it needs.  Missing parents are made by the engine.
/// </summary>
internal static class SamePathArchive
{
    private const UnixFileMode FileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode DirectoryMode =
        FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Throws <see cref="FileNotFoundException"/> for a file that is not there, before anything is sent.</summary>
    public static void CheckFiles(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            if (!Path.IsPathRooted(file))
                throw new ArgumentException($"not an absolute path: {file}", nameof(files));
            if (!File.Exists(file))
                throw new FileNotFoundException($"no such file: {file}", file);
        }
    }

    public static async Task WriteAsync(
        Stream output, IEnumerable<string> files, IEnumerable<string> directories, CancellationToken cancellationToken)
    {
        await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var directory in directories)
        {
            var entry = new PaxTarEntry(TarEntryType.Directory, EntryName(directory) + "/")
            {
                Mode = DirectoryMode,
                ModificationTime = DateTimeOffset.UtcNow,
            };
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        foreach (var file in files)
        {
            await using var data = File.OpenRead(file);
            var entry = new PaxTarEntry(TarEntryType.RegularFile, EntryName(file))
            {
                DataStream = data,
                Mode = FileMode, // QEMU, as root in the container, only reads it
                ModificationTime = File.GetLastWriteTimeUtc(file),
            };
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams the archive into <paramref name="upload"/> through a pipe (nothing is staged on disk).
    /// When both ends fail, the writer's error is the cause and is the one thrown.
    /// </summary>
    public static async Task UploadAsync(
        IReadOnlyCollection<string> files, IReadOnlyCollection<string> directories,
        Func<Stream, Task> upload, CancellationToken cancellationToken)
    {
        CheckFiles(files);
        var pipe = new Pipe();
        var produce = Task.Run(async () =>
        {
            Exception? error = null;
            try
            {
                await using var stream = pipe.Writer.AsStream(leaveOpen: true);
                await WriteAsync(stream, files, directories, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                error = e;
            }
            await pipe.Writer.CompleteAsync(error).ConfigureAwait(false);
            if (error is not null)
                throw error;
        }, cancellationToken);
        try
        {
            await using var body = pipe.Reader.AsStream();
            await upload(body).ConfigureAwait(false);
        }
        catch
        {
            // A reader that gave up must not leave the writer blocked on a full pipe; and when the
            // writer failed first (a file vanished, a read error), that is the cause worth reporting.
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await Task.WhenAny(produce, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            if (produce.IsFaulted)
                await produce.ConfigureAwait(false);
            throw;
        }
        await produce.ConfigureAwait(false);
    }

    private static string EntryName(string path) => Path.GetFullPath(path).TrimEnd('/').TrimStart('/');
}
