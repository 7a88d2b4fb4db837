using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using LibObjectFile.Elf;

namespace KernelShim.Harness.NetBsd;

/// <summary>What a NetBSD kernel file says about itself.</summary>
/// <remarks><see cref="Path"/> is the ELF that boots (a gzipped input's decompressed copy in the cache);
/// <see cref="Source"/> the file the user gave, which is what messages name.</remarks>
public sealed record KernelInfo(string Path, NetBsdVersion Version, string OsRelease, bool HasPvhNote, string Sha256)
{
    public string Source { get; init; } = Path;

    public override string ToString() => $"NetBSD {OsRelease} kernel {System.IO.Path.GetFileName(Source)} ({Version.Value}{(HasPvhNote ? ", PVH" : "")})";
}

/// <summary>A kernel the user gave us could not be used; the message says why.</summary>
public sealed class NetBsdInputException(string message) : Errors.KernelShimException(Errors.ErrorClass.Input, message);

/// <summary>
/// Reads a NetBSD kernel (plain or gzipped ELF): its version from the
/// .note.netbsd.ident note, its osrelease string from the symbol table,
/// and whether it carries a Xen PVH entry note (then QEMU can boot it with
/// -kernel; otherwise GRUB's knetbsd is needed).
/// </summary>
public static class KernelImage
{
    private const uint NetBsdIdentNote = 1;
    private const uint XenElfNotePhys32Entry = 18;

    public static KernelInfo Inspect(string path, string cacheDir)
    {
        if (!File.Exists(path)) throw new NetBsdInputException($"no kernel at {path}");
        if (Directory.Exists(path)) throw new NetBsdInputException($"{path} is a directory, not a kernel file");
        bool gzipped = IsGzip(path);
        string elf = gzipped ? Gunzip(path, cacheDir) : path;
        try
        {
            return Read(path, elf, gzipped);
        }
        catch (NetBsdInputException) when (gzipped)
        {
            // What the gzip held is no kernel: its decompressed copy must not stay in the cache.
            File.Delete(elf);
            throw;
        }
    }

    private static KernelInfo Read(string path, string elf, bool gzipped)
    {
        ElfFile? file;
        using (var s = File.OpenRead(elf))
        {
            if (!ElfFile.IsElf(s))
                throw new NetBsdInputException(gzipped
                    ? $"{path} is gzipped, but what it holds is not an ELF file"
                    : $"{path} is neither an ELF file nor a gzipped one");
            s.Position = 0;
            try
            {
                if (!ElfFile.TryRead(s, out file, out var diags, new ElfReaderOptions()) || file is null)
                    throw new NetBsdInputException($"{path}: unreadable ELF: {diags}");
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException or OverflowException)
            {
                throw new NetBsdInputException($"{path}: a truncated or corrupt ELF file ({e.GetType().Name}: {e.Message})");
            }
        }
        if (file.Arch != ElfArchEx.X86_64)
            throw new NetBsdInputException($"{path} is an ELF for {file.Arch}, not amd64");
        int? version = null;
        bool pvh = false;
        foreach (var note in file.Sections.OfType<ElfNoteTable>().SelectMany(t => t.Entries).OfType<ElfCustomNote>())
        {
            var desc = new byte[note.Descriptor?.Length ?? 0];
            if (note.Descriptor is { } d) { d.Position = 0; d.ReadExactly(desc); }
            if (note.Name == "NetBSD" && (uint)note.Type == NetBsdIdentNote && desc.Length == 4)
                version = BinaryPrimitives.ReadInt32LittleEndian(desc);
            if (note.Name == "Xen" && (uint)note.Type == XenElfNotePhys32Entry)
                pvh = true;
        }
        if (version is null)
            throw new NetBsdInputException($"{path} has no .note.netbsd.ident note: not a NetBSD kernel");
        string? osrelease;
        try
        {
            osrelease = ReadStringSymbol(file, "osrelease");
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException)
        {
            throw new NetBsdInputException($"{path}: a truncated or corrupt ELF file ({e.GetType().Name} reading osrelease)");
        }
        if (osrelease is null)
            throw new NetBsdInputException($"{path} has no osrelease symbol (a stripped kernel? keep its symbol table)");
        return new KernelInfo(elf, new NetBsdVersion(version.Value), osrelease, pvh, Sha256(elf)) { Source = path };
    }

    private static string? ReadStringSymbol(ElfFile file, string name)
    {
        foreach (var table in file.Sections.OfType<ElfSymbolTable>())
            foreach (var sym in table.Entries)
            {
                if (sym.Name.Value != name || sym.Size == 0) continue;
                var section = file.Sections.OfType<ElfStreamSection>().FirstOrDefault(sec =>
                    sec.VirtualAddress <= sym.Value && sym.Value + sym.Size <= sec.VirtualAddress + (ulong)sec.Stream.Length);
                if (section is null) continue;
                var bytes = new byte[sym.Size];
                section.Stream.Position = (long)(sym.Value - section.VirtualAddress);
                section.Stream.ReadExactly(bytes);
                int nul = Array.IndexOf(bytes, (byte)0);
                return Encoding.ASCII.GetString(bytes, 0, nul < 0 ? bytes.Length : nul);
            }
        return null;
    }

    private static bool IsGzip(string path)
    {
        using var s = File.OpenRead(path);
        return s.ReadByte() == 0x1f && s.ReadByte() == 0x8b;
    }

    /// <summary>Decompress into the cache under the content hash; written to a temp name and renamed, so a half file never looks whole.</summary>
    private static string Gunzip(string path, string cacheDir)
    {
        Directory.CreateDirectory(cacheDir);
        var target = Path.Combine(cacheDir, $"kernel-{Sha256(path)[..16]}");
        if (File.Exists(target)) return target;
        var tmp = target + $".{Environment.ProcessId}.tmp";
        try
        {
            long written;
            using (var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
            using (var output = File.Create(tmp))
            {
                input.CopyTo(output);
                written = output.Length;
            }
            // GZipStream stops quietly at a truncated end: check the trailer's length (ISIZE).
            if ((uint)written != GzipTrailerSize(path))
                throw new InvalidDataException($"truncated: {written} bytes decompressed, the trailer says {GzipTrailerSize(path)}");
            File.Move(tmp, target, overwrite: true);
        }
        catch (InvalidDataException e)
        {
            throw new NetBsdInputException($"{path}: corrupt gzip data: {e.Message}");
        }
        finally
        {
            File.Delete(tmp); // gone after the rename; left by nothing else
        }
        return target;
    }

    private static uint GzipTrailerSize(string path)
    {
        using var s = File.OpenRead(path);
        if (s.Length < 18) return uint.MaxValue;
        s.Seek(-4, SeekOrigin.End);
        Span<byte> b = stackalloc byte[4];
        s.ReadExactly(b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
