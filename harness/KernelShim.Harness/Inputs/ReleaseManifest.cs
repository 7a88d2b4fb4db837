using System.Text.Json;
using System.Text.Json.Serialization;

namespace KernelShim.Harness.Inputs;

/// <summary>One NetBSD release: its kernel and its sys sources (vm-images/releases/netbsd-amd64.json).</summary>
public sealed record Release(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("netbsd_version")] int NetBsdVersion,
    [property: JsonPropertyName("kernel")] ManifestArtifact Kernel,
    [property: JsonPropertyName("syssrc")] ManifestArtifact SysSrc);

public sealed record ManifestArtifact(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("sha512")] string Sha512)
{
    public Artifact ToArtifact() => new(Name, new Uri(Url), Sha512);
}

/// <summary>The pinned release manifest; a malformed one is an error naming the problem.</summary>
public static class ReleaseManifest
{
    private sealed record File([property: JsonPropertyName("releases")] List<Release> Releases);

    public static string DefaultPath => Path.Combine(RepoPaths.Root, "vm-images", "releases", "netbsd-amd64.json");

    public static IReadOnlyList<Release> Load(string path)
    {
        File? f;
        try
        {
            f = JsonSerializer.Deserialize<File>(System.IO.File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
        var releases = f?.Releases ?? throw new InvalidDataException($"{path}: no releases");
        foreach (var r in releases)
            foreach (var a in new[] { r.Kernel, r.SysSrc })
                if (a.Sha512.Length is not (0 or 128) || !a.Sha512.All(Uri.IsHexDigit))
                    throw new InvalidDataException($"{path}: {a.Name}: sha512 must be 128 hex digits or empty");
        return releases;
    }

    public static Release Find(IReadOnlyList<Release> releases, string version) =>
        releases.FirstOrDefault(r => r.Version == version)
        ?? throw new NetBsd.NetBsdInputException($"no NetBSD release {version} in the manifest (known: {string.Join(", ", releases.Select(r => r.Version))})");
}
