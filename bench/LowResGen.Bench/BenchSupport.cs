using System.Diagnostics;
using System.Globalization;

namespace LowResGen.Bench;

/// <summary>What every benchmark needs besides its own measurement: the shared data, the commit, argument errors.</summary>
internal static class BenchSupport
{
    /// <summary>../shared/datasets beside the checkout (or $LOWRESGEN_SHARED/datasets).</summary>
    public static string SharedDatasets()
    {
        if (Environment.GetEnvironmentVariable("LOWRESGEN_SHARED") is { Length: > 0 } shared)
        {
            return Path.Combine(shared, "datasets");
        }

        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LowResGen.slnx")))
            {
                return Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "datasets"));
            }
        }

        throw new ArgumentException("cannot find ../shared/datasets; pass --datasets DIR");
    }

    /// <summary>The short commit the results were measured at, for the records in docs/.</summary>
    public static string Commit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    /// <summary>Parses the arguments; on a bad one prints the problem and the usage line and returns false.</summary>
    public static bool TryParse<TSettings>(string[] args, Func<string[], TSettings> parse, string usage, out TSettings settings)
    {
        try
        {
            settings = parse(args);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: " + usage);
            settings = default!;
            return false;
        }
    }

    /// <summary>The value after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static string StringArg(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    public static int IntArg(string[] args, string name, int fallback) =>
        int.Parse(StringArg(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
