using System.Collections.Concurrent;
using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using Microsoft.Extensions.Logging;

namespace LowResGen.Tests.Llm;

/// <summary>A logger factory that keeps every formatted message (and exception text) so tests can search the logs.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string AllText => string.Join("\n", Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>Shared set-up for the served-model tests.</summary>
internal static class LlmTestKit
{
    /// <summary>Retries fast enough for tests, but still exponential with jitter.</summary>
    public static RetryOptions FastRetry { get; } = new() { MaxRetries = 6, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) };

    /// <summary>Puts a fresh secret into a uniquely named environment variable and returns (name, value).</summary>
    public static (string Variable, string Key) NewApiKey()
    {
        var variable = "LOWRESGEN_TEST_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var key = "sk-test-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        return (variable, key);
    }

    public static string TempPath(string name) => Path.Combine(Path.GetTempPath(), "lowresgen-llm-tests", Guid.NewGuid().ToString("N"), name);

    public static string Url(FakeOpenAiServer server, string model = "test-model") => $"{server.BaseUrl}#{model}";
}
