namespace KernelShim.Harness.WarmStart;

/// <summary>
/// Copies a guest RAM image leaving its zero blocks as holes: 512 MiB of RAM at READY holds
/// some 30 MiB of data, and a restored VM maps the copy, so holes cost neither disk nor time.
/// </summary>
public static class SparseFile
{
    private const int Block = 64 * 1024;

    public static void Copy(string source, string destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, Block);
        using var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, Block);
        var buffer = new byte[Block];
        long length = input.Length;
        int n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (buffer.AsSpan(0, n).ContainsAnyExcept((byte)0)) output.Write(buffer, 0, n);
            else output.Seek(n, SeekOrigin.Current);
        }
        output.SetLength(length);
    }
}
