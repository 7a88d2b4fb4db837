using System.Net;
using System.Net.Sockets;

namespace KernelShim.Harness.Tests.Inputs;

/// <summary>
/// A real HTTP server on 127.0.0.1 for fetch tests: serves a payload whole
/// (with Range support), truncated, slowly, not at all (404), or truncated
/// once and then resumable.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _flakyServed;

    public LocalHttpServer(byte[] payload)
    {
        Payload = payload;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public byte[] Payload { get; }
    public int Port { get; }
    public int Requests;
    public List<string> RangesSeen { get; } = [];

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}/{path}");

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(ctx));
        }
    }

    private async Task ServeAsync(HttpListenerContext ctx)
    {
        Interlocked.Increment(ref Requests);
        var res = ctx.Response;
        try
        {
            var range = ctx.Request.Headers["Range"];
            if (range is not null) lock (RangesSeen) RangesSeen.Add(range);
            switch (ctx.Request.Url!.AbsolutePath)
            {
                case "/ok":
                    await WholeOrRangeAsync(res, range);
                    break;
                case "/truncated":
                    res.ContentLength64 = Payload.Length;
                    await res.OutputStream.WriteAsync(Payload.AsMemory(0, Payload.Length / 2));
                    await res.OutputStream.FlushAsync();
                    res.Abort();
                    return;
                case "/slow":
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    await WholeOrRangeAsync(res, range);
                    break;
                case "/flaky":
                    if (Interlocked.Increment(ref _flakyServed) == 1)
                        goto case "/truncated";
                    await WholeOrRangeAsync(res, range);
                    break;
                default:
                    res.StatusCode = 404;
                    break;
            }
            res.Close();
        }
        catch (Exception) { try { res.Abort(); } catch (Exception) { } }
    }

    private async Task WholeOrRangeAsync(HttpListenerResponse res, string? range)
    {
        int from = 0;
        if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            from = int.Parse(range["bytes=".Length..].TrimEnd('-'));
            res.StatusCode = 206;
            res.AddHeader("Content-Range", $"bytes {from}-{Payload.Length - 1}/{Payload.Length}");
        }
        res.ContentLength64 = Payload.Length - from;
        await res.OutputStream.WriteAsync(Payload.AsMemory(from));
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
