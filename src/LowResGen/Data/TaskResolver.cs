using LowResGen.Common;

namespace LowResGen.Data;

/// <summary>
/// A task as a command or study names it: <see cref="Key"/> is what {task} in paths and output folders becomes (the
/// built-in name as written, such as "intent" for the kinit-synthetic folders, or the task file's name).
/// </summary>
public sealed record TaskReference(string Key, TaskDefinition Definition);

/// <summary>The one place that turns a task name or a task file into a <see cref="TaskDefinition"/>, for the CLI and studies alike.</summary>
public static class TaskResolver
{
    /// <summary>
    /// A built-in task name (massive10, intent, sarcasm, ...) or a path to a task file (.toml), relative to
    /// <paramref name="baseDirectory"/> (the current directory when null). An unknown name is an error listing the built-in tasks.
    /// </summary>
    public static TaskReference Resolve(string nameOrFile, string? baseDirectory = null) =>
        TryResolve(nameOrFile, baseDirectory) ?? throw new ArgumentException(
            $"Unknown task '{nameOrFile.Trim()}'. Built-in tasks: {string.Join(", ", BuiltInTasks.All.Select(t => t.Name))} " +
            "(also intent, topic); or give a task file (.toml, see `lowresgen tasks init`).", nameof(nameOrFile));

    /// <summary>
    /// Like <see cref="Resolve"/>, but a plain name that is neither built in nor a file gives null, for commands that accept
    /// the name of a task whose labels come from the data (evaluate, classify). A missing or bad task file is still an error.
    /// </summary>
    public static TaskReference? TryResolve(string nameOrFile, string? baseDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrFile);
        var text = nameOrFile.Trim();
        if (!LooksLikeFile(text) && BuiltInTasks.Find(text) is { } builtIn)
        {
            return new TaskReference(text, builtIn);
        }

        var path = Path.GetFullPath(Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), text));
        if (File.Exists(path))
        {
            var task = TaskFile.Load(path);
            return new TaskReference(task.Name, task);
        }

        return LooksLikeFile(text) ? throw new DataFormatException(path, null, null, "task file not found") : null;
    }

    /// <summary>Resolves a task, or returns null for a null or empty name (commands whose --task is optional).</summary>
    public static TaskDefinition? ResolveOptional(string? nameOrFile, string? baseDirectory = null) =>
        string.IsNullOrWhiteSpace(nameOrFile) ? null : Resolve(nameOrFile, baseDirectory).Definition;

    private static bool LooksLikeFile(string text) =>
        text.EndsWith(".toml", StringComparison.OrdinalIgnoreCase) || text.Contains('/') || text.Contains('\\');
}
