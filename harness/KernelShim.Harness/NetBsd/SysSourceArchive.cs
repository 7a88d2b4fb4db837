using System.Formats.Tar;
using System.IO.Compression;

namespace KernelShim.Harness.NetBsd;

/// <summary>
/// A release's syssrc.tgz, unpacked once into the cache (usr/src/sys of the
/// archive becomes the sys tree).  Unpacked to a temporary directory and
/// renamed, so a half-unpacked tree never looks whole.
/// </summary>
public static class SysSourceArchive
{
    public static string Unpack(string tgz, string cacheDir)
    {
        var target = Path.Combine(cacheDir, "sys-" + KernelImage.Sha256(tgz)[..16]);
        var sys = Path.Combine(target, "usr", "src", "sys");
        if (Directory.Exists(sys)) return sys;
        var tmp = $"{target}.{Environment.ProcessId}.tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        try
        {
            using (var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress))
                TarFile.ExtractToDirectory(gz, tmp, overwriteFiles: true);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw new NetBsdInputException($"{tgz}: not a readable syssrc.tgz: {e.Message}");
        }
        if (!Directory.Exists(Path.Combine(tmp, "usr", "src", "sys")))
        {
            Directory.Delete(tmp, recursive: true);
            throw new NetBsdInputException($"{tgz} holds no usr/src/sys: not a NetBSD syssrc set");
        }
        Directory.Move(tmp, target);
        return sys;
    }
}
