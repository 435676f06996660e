using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LowResGen.Common;

namespace LowResGen.Reporting;

/// <summary>
/// The report's examples as one script per generation cell: <c>LowResGenReport.examples(id, [...]);</c> with one JSON
/// array (label, text, verdict, detail) per line. Browsers refuse fetch() of file:// URLs, but a script element loads
/// from file:// anywhere, so the report pages through them with no server.
/// </summary>
internal static class ReportExampleData
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string FileName(int id) => $"examples-{id}.js";

    public static string Script(ExampleChunk chunk)
    {
        var text = new StringBuilder();
        text.Append("LowResGenReport.examples(").Append(chunk.Id).Append(", [\n");
        for (var i = 0; i < chunk.Examples.Count; i++)
        {
            var e = chunk.Examples[i];
            text.Append(JsonSerializer.Serialize(new[] { e.Label, e.Text, e.Verdict, e.Detail }, Json)).Append(i + 1 < chunk.Examples.Count ? ",\n" : "\n");
        }

        return text.Append("]);\n").ToString();
    }

    /// <summary>Writes every chunk and removes chunk files of an earlier, larger report.</summary>
    public static async Task WriteAsync(IReadOnlyList<ExampleChunk> chunks, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            var path = Path.Combine(folder, FileName(chunk.Id));
            await AtomicFile.WriteAllTextAsync(path, Script(chunk), cancellationToken).ConfigureAwait(false);
            written.Add(Path.GetFileName(path));
        }

        foreach (var stale in Directory.EnumerateFiles(folder, "examples-*.js").Where(f => !written.Contains(Path.GetFileName(f))).ToArray())
        {
            File.Delete(stale);
        }
    }
}
