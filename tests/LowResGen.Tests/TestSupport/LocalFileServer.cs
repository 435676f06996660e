using System.Net.Http.Headers;
using LowResGen.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LowResGen.Tests;

/// <summary>One request as the server saw it (the Authorization header is kept so tests can check it was sent).</summary>
internal sealed record RecordedRequest(string Path, string? Range, string? Authorization, int Status);

/// <summary>
/// A Kestrel server on 127.0.0.1 (random free port) serving files from a folder or from a map of URL path to file.
/// Honours single Range requests (206/416, with If-Range against an ETag) unless <see cref="IgnoreRange"/> is set, and injects faults on demand:
/// drop the connection after N body bytes, or answer with an error status, for the next K matching requests.
/// </summary>
internal sealed class LocalFileServer : IAsyncDisposable
{
    private readonly Func<string, string?> _resolve;
    private WebApplication _app = null!;
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<Fault> _faults = [];
    private volatile bool _ignoreRange;

    private LocalFileServer(Func<string, string?> resolve)
    {
        _resolve = resolve;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>When true the server answers every request with the whole file (status 200), like servers without Range support.</summary>
    public bool IgnoreRange
    {
        get => _ignoreRange;
        set => _ignoreRange = value;
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Serves <paramref name="folder"/> under <paramref name="urlPrefix"/> (e.g. "data/" for data/&lt;code&gt;/train.tsv).</summary>
    public static Task<LocalFileServer> ServeFolderAsync(string folder, string urlPrefix = "")
    {
        var root = Path.GetFullPath(folder);
        var prefix = urlPrefix.Trim('/');
        return StartAsync(path =>
        {
            if (prefix.Length > 0)
            {
                if (!path.StartsWith(prefix + "/", StringComparison.Ordinal))
                {
                    return null;
                }

                path = path[(prefix.Length + 1)..];
            }

            var full = Path.GetFullPath(Path.Combine(root, path));
            return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full) ? full : null;
        });
    }

    /// <summary>Serves exactly the given files: URL path (without leading slash) to file on disk.</summary>
    public static Task<LocalFileServer> ServeFilesAsync(IReadOnlyDictionary<string, string> files) =>
        StartAsync(path => files.TryGetValue(path, out var file) ? file : null);

    public Uri Url(string path) => new(BaseUri, string.Join('/', path.TrimStart('/').Split('/').Select(Uri.EscapeDataString)));

    public int RequestCount(string? path = null)
    {
        lock (_gate)
        {
            return path is null ? _requests.Count : _requests.Count(r => r.Path == path.TrimStart('/'));
        }
    }

    /// <summary>The next <paramref name="times"/> requests (for <paramref name="path"/>, or any) send <paramref name="bytes"/> body bytes, then the connection is cut.</summary>
    public void DropConnectionAfter(long bytes, int times = 1, string? path = null)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(path?.TrimStart('/'), times, DropAfterBytes: bytes, Status: null));
        }
    }

    /// <summary>The next <paramref name="times"/> requests (for <paramref name="path"/>, or any) are answered with <paramref name="status"/>.</summary>
    public void FailWith(int status, int times = 1, string? path = null)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(path?.TrimStart('/'), times, DropAfterBytes: null, Status: status));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<LocalFileServer> StartAsync(Func<string, string?> resolve)
    {
        var server = new LocalFileServer(resolve);
        (server._app, server.BaseUri) = await LoopbackServer.StartAsync(app => app.Run(server.HandleAsync));
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? "").TrimStart('/');
        var range = context.Request.Headers.Range.ToString();
        var authorization = context.Request.Headers.Authorization.ToString();
        var fault = TakeFault(path);
        var file = _resolve(path);
        var status = fault?.Status ?? (file is null ? 404 : 200);
        long from = 0;
        long length = file is null ? 0 : new FileInfo(file).Length;
        long count = length;
        var etag = file is null ? null : ETagOf(file);
        if (etag is not null)
        {
            context.Response.Headers.ETag = etag;
        }

        // If-Range: a range of a file that changed since is answered with the whole file.
        var ifRange = context.Request.Headers.IfRange.ToString();
        var rangeStillValid = ifRange.Length == 0 || ifRange == etag;
        if (status == 200 && !IgnoreRange && rangeStillValid && RangeHeaderValue.TryParse(range, out var parsed) && parsed.Ranges.Count == 1)
        {
            var requested = parsed.Ranges.Single();
            from = requested.From ?? Math.Max(0, length - (requested.To ?? 0));
            var to = requested.From is null ? length - 1 : Math.Min(requested.To ?? length - 1, length - 1);
            status = from >= length ? 416 : 206;
            count = status == 206 ? to - from + 1 : 0;
        }

        lock (_gate)
        {
            _requests.Add(new RecordedRequest(path, range.Length > 0 ? range : null, authorization.Length > 0 ? authorization : null, status));
        }

        context.Response.StatusCode = status;
        if (!IgnoreRange)
        {
            context.Response.Headers.AcceptRanges = "bytes";
        }

        if (status == 416)
        {
            context.Response.Headers.ContentRange = $"bytes */{length}";
            return;
        }

        if (status is not (200 or 206) || file is null)
        {
            return;
        }

        if (status == 206)
        {
            context.Response.Headers.ContentRange = $"bytes {from}-{from + count - 1}/{length}";
        }

        context.Response.ContentLength = count;
        await using var stream = File.OpenRead(file);
        stream.Position = from;
        var toSend = fault?.DropAfterBytes is { } drop ? Math.Min(drop, count) : count;
        var buffer = new byte[16 * 1024];
        while (toSend > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, toSend)), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            toSend -= read;
        }

        if (fault?.DropAfterBytes is not null)
        {
            await context.Response.Body.FlushAsync(context.RequestAborted);
            // Give the client time to read what was sent: a reset discards bytes still unread in its socket buffer.
            await Task.Delay(250, context.RequestAborted);
            context.Abort();
        }
    }

    private static string ETagOf(string file)
    {
        var info = new FileInfo(file);
        return $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"";
    }

    private Fault? TakeFault(string path)
    {
        lock (_gate)
        {
            var index = _faults.FindIndex(f => f.Path is null || f.Path == path);
            if (index < 0)
            {
                return null;
            }

            var fault = _faults[index];
            if (fault.Times <= 1)
            {
                _faults.RemoveAt(index);
            }
            else
            {
                _faults[index] = fault with { Times = fault.Times - 1 };
            }

            return fault;
        }
    }

    private sealed record Fault(string? Path, int Times, long? DropAfterBytes, int? Status);
}
