using System.Diagnostics;

namespace LowResGen.Tests;

/// <summary>Runs Debian's Chromium headless on a local file: the DOM after scripts ran, or a screenshot.</summary>
internal static class HeadlessChromium
{
    public static string Executable => File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "chromium";

    /// <summary>The DOM once the page is idle: the virtual time budget lets scripts it loads later (data chunks) run first.</summary>
    public static async Task<string> DumpDomAsync(string url, string profile) =>
        (await RunAsync(profile, "--virtual-time-budget=20000", "--dump-dom", url)).Output;

    public static async Task ScreenshotAsync(string url, string png, string profile) =>
        await RunAsync(profile, $"--screenshot={png}", "--window-size=1280,2000", url);

    private static async Task<(string Output, string Error)> RunAsync(string profile, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var flag in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--allow-file-access-from-files", $"--user-data-dir={profile}",
                 }.Concat(arguments))
        {
            start.ArgumentList.Add(flag);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start chromium");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (await output, await error);
    }
}
