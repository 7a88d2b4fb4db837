using System.Text;
using LibObjectFile.Elf;

namespace KernelShim.Harness.NetBsd;

/// <summary>One data object of an ELF symbol table: its size, and its bytes when the file holds them.</summary>
public sealed record ElfObject(string Name, ulong Size, byte[]? Bytes)
{
    /// <summary>The bytes up to the first NUL, as ASCII (a C string object).</summary>
    public string? AsString() => Bytes is null ? null : Encoding.ASCII.GetString(Bytes, 0, Array.IndexOf(Bytes, (byte)0) is var n and >= 0 ? n : Bytes.Length);
}

/// <summary>
/// The data objects (STT_OBJECT symbols) of an ELF file, a kernel or a
/// relocatable object: for a kernel an object's value is its address, for an
/// object file its offset in its section; either way value minus the
/// section's address is where its bytes are.  Static (LOCAL) objects count:
/// uvm_km.c's kernel_map_store is one.
/// </summary>
public static class ElfObjects
{
    public static IReadOnlyList<ElfObject> Read(string path, Func<string, bool> wanted)
    {
        ElfFile? file;
        using (var s = File.OpenRead(path))
        {
            if (!ElfFile.IsElf(s)) throw new NetBsdInputException($"{path} is not an ELF file");
            s.Position = 0;
            if (!ElfFile.TryRead(s, out file, out var diags, new ElfReaderOptions()) || file is null)
                throw new NetBsdInputException($"{path}: unreadable ELF: {diags}");
        }
        var found = new List<ElfObject>();
        foreach (var table in file.Sections.OfType<ElfSymbolTable>())
            foreach (var sym in table.Entries)
            {
                if (sym.Type != ElfSymbolType.Object || !wanted(sym.Name.Value ?? "")) continue;
                found.Add(new ElfObject(sym.Name.Value!, sym.Size, BytesOf(sym)));
            }
        return found;
    }

    private static byte[]? BytesOf(ElfSymbol sym)
    {
        if (sym.SectionLink.IsSpecial || sym.SectionLink.Section is not ElfStreamSection section || sym.Size == 0) return null;
        ulong offset = sym.Value - section.VirtualAddress;
        if (offset + sym.Size > (ulong)section.Stream.Length) return null;
        var bytes = new byte[sym.Size];
        section.Stream.Position = (long)offset;
        section.Stream.ReadExactly(bytes);
        return bytes;
    }
}
