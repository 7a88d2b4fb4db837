namespace KernelShim.Harness.Inputs;

/// <summary>A file to download: where from, and its SHA-512 (empty when no authoritative sum is known).</summary>
public sealed record Artifact(string Name, Uri Url, string Sha512)
{
    public bool HasChecksum => Sha512.Length == 128;
}
