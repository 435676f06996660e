using System.CommandLine;
using System.Globalization;
using LowResGen.Common.Downloads;
using LowResGen.Llm.Models;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary><c>lowresgen models pull|list</c>: the local GGUF model cache.</summary>
internal static class ModelsCommand
{
    /// <summary>Shared by <c>models</c> and <c>chat</c>.</summary>
    public static Option<string?> CacheDirectoryOption() => new("--cache-dir")
    {
        Description = $"Model cache folder (default: ${ModelCache.HomeVariable}/models or ~/.cache/lowresgen/models).",
    };

    public static Command Create()
    {
        var command = new Command("models", "Download GGUF models into the local cache and list them.");
        command.Subcommands.Add(Pull());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Pull()
    {
        var repository = new Argument<string>("repository")
        {
            Description = $"Hugging Face repository 'owner/name', 'quickstart' for {DefaultModels.Quickstart.CacheName} or 'encoder' for {DefaultModels.Encoder.CacheName}.",
        };
        var file = new Argument<string?>("file") { Description = "GGUF file in the repository.", Arity = ArgumentArity.ZeroOrOne };
        var baseUrl = new Option<string?>("--base-url") { Description = $"Server with Hugging Face's URL layout (default {ModelPuller.DefaultBaseUrl})." };
        var sha256 = new Option<string?>("--sha256") { Description = "Expected SHA-256 of the file; a mismatching download is discarded." };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => ModelPullRequest.DefaultRevision };
        var cacheDir = CacheDirectoryOption();
        var command = new Command("pull", $"Download a GGUF file (resumable, checksum-verified). Uses the token in ${ModelPuller.TokenVariable} if set.")
        {
            repository, file, baseUrl, sha256, revision, cacheDir,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var repo = parseResult.GetValue(repository)!;
            var fileName = parseResult.GetValue(file);
            ModelPullRequest request;
            if (fileName is null && DefaultModels.ByName.TryGetValue(repo, out var known))
            {
                request = known.Pull with { Sha256 = parseResult.GetValue(sha256) ?? known.Pull.Sha256 };
            }
            else if (fileName is null)
            {
                error.WriteLine("Give the file to download: lowresgen models pull <owner/repo> <file.gguf>");
                return 2;
            }
            else
            {
                request = new ModelPullRequest(repo, fileName, parseResult.GetValue(sha256), parseResult.GetValue(revision)!);
            }

            var cache = new ModelCache(parseResult.GetValue(cacheDir));
            var source = parseResult.GetValue(baseUrl) is { } url ? new Uri(url) : null;
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            try
            {
                var result = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(Markup.Escape(request.File), maxValue: 1);
                        var progress = new SynchronousProgress<DownloadProgress>(p =>
                        {
                            task.MaxValue = Math.Max(1, p.TotalBytes ?? p.BytesReceived);
                            task.Value = p.BytesReceived;
                        });
                        return await new ModelPuller(http, cache).PullAsync(request, source, progress, cancellationToken);
                    });
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(result.AlreadyPresent ? $"Already in the cache: {result.DestinationPath}" : $"Saved {result.DestinationPath}");
                output.WriteLine($"{result.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, sha256 {result.Sha256}");
                return 0;
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                error.WriteLine($"{CliErrors.Prefix}models pull failed: {CliErrors.Explain(e)}");
                return 1;
            }
        });
        return command;
    }

    private static Command List()
    {
        var cacheDir = CacheDirectoryOption();
        var command = new Command("list", "List the GGUF files in the model cache.") { cacheDir };
        command.SetAction(parseResult =>
        {
            var cache = new ModelCache(parseResult.GetValue(cacheDir));
            var output = parseResult.InvocationConfiguration.Output;
            var models = cache.List();
            output.WriteLine($"Model cache: {cache.Directory}");
            if (models.Count == 0)
            {
                output.WriteLine($"No models yet. Try: lowresgen models pull quickstart   ({DefaultModels.Quickstart.CacheName})");
            }

            foreach (var model in models)
            {
                output.WriteLine($"{model.Name}\t{model.SizeBytes / 1e6:F1} MB\t{model.Modified:yyyy-MM-dd HH:mm}");
            }

            return 0;
        });
        return command;
    }
}
