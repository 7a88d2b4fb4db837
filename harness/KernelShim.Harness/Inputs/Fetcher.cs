using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace KernelShim.Harness.Inputs;

/// <summary>Tunables of <see cref="Fetcher"/>.</summary>
public sealed record FetchOptions
{
    /// <summary>Never touch the network: a file is in the cache or it is an error.</summary>
    public bool Offline { get; init; }
    /// <summary>Accept an artifact without a known SHA-512 (the user said so, explicitly).</summary>
    public bool Insecure { get; init; }
    /// <summary>A read that delivers nothing for this long aborts the attempt.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int Attempts { get; init; } = 4;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);
    public Action<long, long?>? Progress { get; init; }
}

/// <summary>
/// Downloads into a cache directory: streamed to NAME.part, resumed with a
/// Range request after an interruption, retried with backoff, verified
/// against SHA-512 before it is renamed to its final name (so a file under
/// the final name is always whole and verified).
/// </summary>
public sealed class Fetcher(string cacheDir, FetchOptions options, HttpMessageHandler? handler = null)
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(20) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static string DefaultCache => Path.Combine(NetBsd.GuestBuild.DefaultCache, "downloads");

    public async Task<string> FetchAsync(Artifact a, CancellationToken ct = default)
    {
        if (!a.HasChecksum && !options.Insecure)
            throw new FetchException(FetchFailure.NoChecksum,
                $"{a.Name}: no authoritative SHA-512 is pinned for {a.Url}; refusing it without --insecure");
        Directory.CreateDirectory(cacheDir);
        var final = Path.Combine(cacheDir, a.Name);
        if (File.Exists(final)) return final;
        if (options.Offline)
            throw new FetchException(FetchFailure.Offline, $"{a.Name}: offline, and not in the cache ({final})");
        var part = final + ".part";
        FetchException? last = null;
        for (int attempt = 1; attempt <= options.Attempts; attempt++)
        {
            try
            {
                await DownloadAsync(a.Url, part, ct).ConfigureAwait(false);
                Verify(a, part);
                File.Move(part, final, overwrite: true);
                return final;
            }
            catch (FetchException e) when (e.Kind is FetchFailure.Truncated or FetchFailure.Stalled or FetchFailure.HttpError)
            {
                last = e;
                if (attempt < options.Attempts)
                    await Task.Delay(options.RetryDelay * attempt, ct).ConfigureAwait(false);
            }
        }
        throw new FetchException(last!.Kind, $"{last.Message} (after {options.Attempts} attempts)");
    }

    private async Task DownloadAsync(Uri url, string part, CancellationToken ct)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) req.Headers.Range = new RangeHeaderValue(have, null);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(options.StallTimeout);
        HttpResponseMessage resp;
        try
        {
            resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FetchException(FetchFailure.Stalled, $"{url}: no response within {options.StallTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            throw new FetchException(FetchFailure.HttpError, $"{url}: {e.Message}");
        }
        using (resp)
        {
            if (resp.StatusCode == HttpStatusCode.NotFound)
                throw new FetchException(FetchFailure.NotFound, $"{url}: 404 Not Found");
            if (resp.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                File.Delete(part); // the .part is longer than the file: start over
                throw new FetchException(FetchFailure.HttpError, $"{url}: 416 on resume; restarting");
            }
            if (!resp.IsSuccessStatusCode)
                throw new FetchException(FetchFailure.HttpError, $"{url}: HTTP {(int)resp.StatusCode} {resp.ReasonPhrase}");
            bool resumed = have > 0 && resp.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed) have = 0;
            long? total = resp.Content.Headers.ContentLength is { } len ? len + have : null;
            await using var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create);
            var buf = new byte[81920];
            long got = have;
            while (true)
            {
                stall.CancelAfter(options.StallTimeout);
                int n;
                try
                {
                    n = await body.ReadAsync(buf, stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new FetchException(FetchFailure.Stalled, $"{url}: stalled: nothing received for {options.StallTimeout.TotalSeconds:0} s at byte {got}");
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new FetchException(FetchFailure.Truncated, $"{url}: connection lost at byte {got}{(total is { } t ? $" of {t}" : "")}: {e.Message}");
                }
                if (n == 0) break;
                await file.WriteAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
                got += n;
                options.Progress?.Invoke(got, total);
            }
            if (total is { } expected && got != expected)
                throw new FetchException(FetchFailure.Truncated, $"{url}: truncated: {got} of {expected} bytes");
        }
    }

    private static void Verify(Artifact a, string part)
    {
        if (!a.HasChecksum) return; // --insecure, said by the caller
        string sum;
        using (var s = File.OpenRead(part)) sum = Convert.ToHexStringLower(SHA512.HashData(s));
        if (!sum.Equals(a.Sha512, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(part);
            throw new FetchException(FetchFailure.ChecksumMismatch, $"{a.Name}: SHA-512 mismatch: got {sum[..16]}..., pinned {a.Sha512[..16]}...");
        }
    }
}
