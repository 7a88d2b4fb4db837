using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KernelShim.Harness.Machine;

/// <summary>
/// QEMU's monitor protocol (QMP) on the machine's qmp.sock: one JSON object a line each way.
/// Only what warm starts need: the capabilities handshake, commands and their answers
/// (asynchronous events are skipped).  One command at a time.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly StreamReader _reader;
    private readonly SemaphoreSlim _one = new(1, 1);

    private QmpClient(Stream stream)
    {
        _stream = stream;
        _reader = new StreamReader(stream, Encoding.UTF8, false, 4096, leaveOpen: true);
    }

    /// <summary>Reads the greeting and leaves capabilities negotiation mode.</summary>
    public static async Task<QmpClient> OpenAsync(Stream stream, TimeSpan deadline, CancellationToken ct = default)
    {
        var q = new QmpClient(stream);
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(deadline);
            var greeting = await q.ReadObjectAsync(cts.Token).ConfigureAwait(false);
            if (greeting["QMP"] is null) throw new QmpException($"not a QMP greeting: {greeting.ToJsonString()}");
            await q.ExecuteAsync("qmp_capabilities", null, deadline, ct).ConfigureAwait(false);
            return q;
        }
        catch
        {
            await q.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs one command; returns its "return" value, throws <see cref="QmpException"/> with QEMU's error.</summary>
    public async Task<JsonNode?> ExecuteAsync(string command, object? arguments, TimeSpan deadline, CancellationToken ct = default)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(deadline);
            var request = new JsonObject { ["execute"] = command };
            if (arguments is not null) request["arguments"] = JsonSerializer.SerializeToNode(arguments);
            var line = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
            try
            {
                await _stream.WriteAsync(line, cts.Token).ConfigureAwait(false);
                await _stream.FlushAsync(cts.Token).ConfigureAwait(false);
                while (true)
                {
                    var answer = await ReadObjectAsync(cts.Token).ConfigureAwait(false);
                    if (answer["event"] is not null) continue;
                    if (answer["error"] is { } error)
                        throw new QmpException($"{command}: {error["desc"]?.GetValue<string>() ?? error.ToJsonString()}");
                    if (answer.ContainsKey("return")) return answer["return"];
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new QmpException($"{command}: no answer from QEMU within {deadline.TotalSeconds:0.#} s");
            }
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>QEMU's run state: "inmigrate", "paused", "running", "postmigrate", ...</summary>
    public async Task<string> StatusAsync(TimeSpan deadline, CancellationToken ct = default) =>
        (await ExecuteAsync("query-status", null, deadline, ct).ConfigureAwait(false))?["status"]?.GetValue<string>() ?? "";

    private async Task<JsonObject> ReadObjectAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct).ConfigureAwait(false)
                   ?? throw new QmpException("QEMU closed its monitor");
        try
        {
            return JsonNode.Parse(line) as JsonObject ?? throw new QmpException($"not a JSON object from QMP: {line}");
        }
        catch (JsonException e)
        {
            throw new QmpException($"unreadable QMP line: {line} ({e.Message})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The monitor refused a command, answered garbage or went away.</summary>
public sealed class QmpException(string message) : Exception(message);
