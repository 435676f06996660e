using System.Globalization;
using System.Text;

namespace LowResGen.Experiments;

/// <summary>
/// Options of the Slurm array job that runs a study's shards, then merges them. CPUs and memory are requested only when
/// given (otherwise the cluster's defaults apply, which every node can satisfy); the merge job needs no GPU, so with
/// <see cref="Gpus"/> it goes to <see cref="MergePartition"/> (default: the cluster's default partition), not the GPU one.
/// <see cref="Command"/> is how the jobs start lowresgen; null: exactly as this process was started (no PATH assumed).
/// </summary>
public sealed record SlurmOptions(
    int Shards,
    string Partition = "",
    string TimeLimit = "24:00:00",
    int? CpusPerTask = null,
    string? MemoryPerTask = null,
    string Gpus = "",
    string? Command = null,
    string? MergePartition = null);

/// <summary>
/// Writes two Slurm batch scripts: an array job whose task i runs shard i/n into its own store, and a merge job that
/// depends on the whole array (afterok) and merges the shard stores and writes the report.
/// </summary>
public static class SlurmScriptWriter
{
    public static (string ArrayScript, string MergeScript, string SubmitScript) Write(string studyFile, StudyDefinition study, SlurmOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Shards);
        var studyPath = Path.GetFullPath(studyFile);
        var quotedStudy = Quote(studyPath);
        var logs = Path.Combine(study.OutputDirectory, "slurm-logs");
        var command = options.Command ?? CurrentCommand();
        var mergePartition = options.MergePartition ?? (options.Gpus.Length > 0 ? "" : options.Partition);

        var array = new StringBuilder();
        array.AppendLine("#!/bin/bash");
        array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --job-name={study.Name}-shards");
        array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{options.Shards - 1}");
        if (options.CpusPerTask is { } cpus)
        {
            array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={cpus}");
        }

        if (options.MemoryPerTask is { Length: > 0 } memory)
        {
            array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --mem={memory}");
        }
        array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --time={options.TimeLimit}");
        array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --output={logs}/shard-%a.log");
        if (options.Partition.Length > 0)
        {
            array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --partition={options.Partition}");
        }

        if (options.Gpus.Length > 0)
        {
            array.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --gpus={options.Gpus}");
        }

        array.AppendLine("set -euo pipefail");
        array.AppendLine(CultureInfo.InvariantCulture,
            $"{command} study run {quotedStudy} --shard \"${{SLURM_ARRAY_TASK_ID}}/{options.Shards}\" --plain");

        var merge = new StringBuilder();
        merge.AppendLine("#!/bin/bash");
        merge.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --job-name={study.Name}-merge");
        merge.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --time={options.TimeLimit}");
        merge.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --output={logs}/merge.log");
        if (mergePartition.Length > 0)
        {
            merge.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --partition={mergePartition}");
        }

        merge.AppendLine("set -euo pipefail");
        merge.AppendLine(CultureInfo.InvariantCulture, $"{command} study merge {quotedStudy} --shards {options.Shards} --strict");
        merge.AppendLine(CultureInfo.InvariantCulture, $"{command} study report {quotedStudy}");

        var submit = new StringBuilder();
        submit.AppendLine("#!/bin/bash");
        submit.AppendLine("# Submits the shard array, then the merge job once every shard succeeded.");
        submit.AppendLine("set -euo pipefail");
        submit.AppendLine("cd \"$(dirname \"$0\")\"");
        submit.AppendLine(CultureInfo.InvariantCulture, $"mkdir -p {Quote(logs)}");
        submit.AppendLine("array_id=$(sbatch --parsable shards.sbatch)");
        submit.AppendLine("sbatch --dependency=afterok:${array_id} merge.sbatch");
        return (array.ToString(), merge.ToString(), submit.ToString());
    }

    /// <summary>This process's own command line up to its arguments: the apphost, or dotnet plus the CLI's dll.</summary>
    public static string CurrentCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 }
            ? $"{Quote(process)} {Quote(entry)}"
            : Quote(process);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
