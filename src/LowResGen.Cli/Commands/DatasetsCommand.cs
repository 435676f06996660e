using System.CommandLine;
using System.Net.Http.Headers;
using LowResGen.Common;
using LowResGen.Common.Downloads;
using LowResGen.Data;
using LowResGen.Data.Download;
using LowResGen.Data.Import;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`datasets download` (SIB-200, MASSIVE 1.1) and `datasets show` (what a file holds, as the importer reads it).</summary>
internal static class DatasetsCommand
{
    public static Command Create()
    {
        var command = new Command("datasets", "Download public datasets and inspect example files.");
        command.Subcommands.Add(Download());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command Download()
    {
        var dataset = new Argument<string>("dataset") { Description = "sib200 or massive." };
        dataset.AcceptOnlyFromAmong("sib200", "massive");
        var languages = new Option<string[]>("--languages", "-l")
        {
            Description = "Languages (ISO codes, names, FLORES codes or MASSIVE locales; space or comma separated). Default: the 11 reference languages.",
            AllowMultipleArgumentsPerToken = true,
        };
        var baseUrl = new Option<string?>("--base-url") { Description = "Where the release lives (default: the public location: Hugging Face Davlan/sib200, or Amazon's MASSIVE bucket)." };
        var output = new Option<string>("--output", "-o") { Description = "Folder for the datasets; each goes into a sub-folder (sib200/, massive/).", DefaultValueFactory = _ => "datasets" };
        var sha256 = new Option<string?>("--sha256") { Description = "Pinned SHA-256 of the MASSIVE archive." };
        var manifest = new Option<string?>("--manifest") { Description = "A manifest.json whose checksums the files must have (pins SIB-200's files)." };
        var refresh = new Option<bool>("--refresh") { Description = "Forget the checksums recorded by an earlier download (use when the upstream files changed on purpose)." };
        var command = new Command("download", "Download SIB-200 or MASSIVE 1.1 with resume and SHA-256 verification; checksums are recorded in <output>/<dataset>/manifest.json.")
        {
            dataset, languages, baseUrl, output, sha256, manifest, refresh,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var which = parseResult.GetValue(dataset) == "sib200" ? PublicDataset.Sib200 : PublicDataset.Massive;
            var codes = (parseResult.GetValue(languages) ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            return await CliErrors.GuardAsync(parseResult, async () =>
            {
                var source = parseResult.GetValue(baseUrl) is { } url ? new Uri(url, UriKind.Absolute) : DatasetDownloader.DefaultBaseUrl(which);
                var options = new DatasetDownloadOptions
                {
                    OutputFolder = parseResult.GetValue(output)!,
                    Languages = codes.Count > 0 ? codes : LanguageRegistry.ReferenceLanguages,
                    BaseUrl = source,
                    Sha256 = parseResult.GetValue(sha256),
                    PinnedManifest = parseResult.GetValue(manifest),
                    Refresh = parseResult.GetValue(refresh),
                    Authorization = HuggingFaceToken(source),
                };
                using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
                var downloader = new DatasetDownloader(new ResumableDownloader(http));
                var result = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                    .StartAsync(context =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                        var progress = new SynchronousProgress<DatasetDownloadProgress>(p =>
                        {
                            var key = $"{p.Stage} {p.File}";
                            if (!tasks.TryGetValue(key, out var task))
                            {
                                task = tasks[key] = context.AddTask(Markup.Escape(key), maxValue: Math.Max(1, p.BytesTotal ?? 1));
                            }

                            task.MaxValue = Math.Max(1, p.BytesTotal ?? Math.Max(p.BytesDone, 1));
                            task.Value = p.Stage == "extract" ? task.MaxValue : p.BytesDone;
                        });
                        return downloader.DownloadAsync(which, options, progress, cancellationToken);
                    });

                foreach (var file in result.Files)
                {
                    Console.WriteLine($"{(file.Reused ? "verified  " : "downloaded")} {file.RelativePath} ({file.Length:N0} bytes, sha256 {file.Sha256})");
                }

                Console.WriteLine($"Dataset folder: {result.Folder}");
                Console.WriteLine($"Checksums recorded in {result.ManifestPath}");
            });
        });
        return command;
    }

    private static Command Show()
    {
        var file = new Argument<string>("file") { Description = "An example file (CSV, TSV, JSONL or Parquet)." };
        var format = new Option<ExampleFileFormat>("--format") { Description = "File format (default: by extension or content)." };
        var task = new Option<string?>("--task") { Description = "Check labels against a built-in task (massive10, massive60, sib200, sentiment)." };
        var text = new Option<string?>("--text-column") { Description = "Text column (default: text, sentence or utt)." };
        var label = new Option<string?>("--label-column") { Description = "Label column (default: intent, label_name, category or label)." };
        var id = new Option<string?>("--id-column") { Description = "Id column (default: id or index_id)." };
        var rows = new Option<int>("--rows") { Description = "Sample rows printed (the first of each label, in file order).", DefaultValueFactory = _ => ExampleSample.DefaultRows };
        var command = new Command("show", "Read an example file as the importer does and print counts per split and label, sample rows, and the warnings.")
        {
            file, format, task, text, label, id, rows,
        };
        command.SetAction(async (parseResult, cancellationToken) => await CliErrors.GuardAsync(parseResult, async () =>
        {
            var path = parseResult.GetValue(file)!;
            var result = await ExampleFiles.ReadAsync(path, new ImportOptions
            {
                Format = parseResult.GetValue(format),
                Task = TaskResolver.ResolveOptional(parseResult.GetValue(task)),
                TextColumn = parseResult.GetValue(text),
                LabelColumn = parseResult.GetValue(label),
                IdColumn = parseResult.GetValue(id),
            }, cancellationToken);

            Console.WriteLine($"{path}: {result.Examples.Count} examples, {result.Warnings.Count} warnings, {result.Filtered} filtered");
            var table = new Table().AddColumn("label");
            var splits = result.Examples.Select(e => e.Split).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            foreach (var split in splits)
            {
                table.AddColumn(new TableColumn(split).RightAligned());
            }

            foreach (var group in result.Examples.GroupBy(e => e.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                table.AddRow([Markup.Escape(group.Key), .. splits.Select(s => group.Count(e => e.Split == s).ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            }

            AnsiConsole.Write(table);
            var samples = ExampleSample.FirstPerLabel(result.Examples, Math.Max(0, parseResult.GetValue(rows)));
            if (samples.Count > 0)
            {
                var sampleTable = new Table().AddColumns("id", "label", "split", "text");
                foreach (var example in samples)
                {
                    sampleTable.AddRow(Markup.Escape(example.Id), Markup.Escape(example.Label), Markup.Escape(example.Split), Markup.Escape(example.Text.ReplaceLineEndings(" ")));
                }

                AnsiConsole.MarkupLine($"{samples.Count} sample rows:");
                AnsiConsole.Write(sampleTable);
            }

            foreach (var warning in result.Warnings.Take(20))
            {
                Console.WriteLine($"warning: {warning.File}:{warning.Line} ({warning.Field}): {warning.Message}");
            }

            if (result.Warnings.Count > 20)
            {
                Console.WriteLine($"... and {result.Warnings.Count - 20} more warnings");
            }
        }));
        return command;
    }

    /// <summary>A Hugging Face token (HF_TOKEN) is sent only to Hugging Face; it is never printed.</summary>
    private static AuthenticationHeaderValue? HuggingFaceToken(Uri source) =>
        Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } token
        && (source.Host == "huggingface.co" || source.Host.EndsWith(".huggingface.co", StringComparison.OrdinalIgnoreCase))
            ? new AuthenticationHeaderValue("Bearer", token)
            : null;
}
