using System.Globalization;
using System.Text;
using LowResGen.Common;

namespace LowResGen.Evaluation;

/// <summary>The prediction for one test example under one setting and seed.</summary>
public sealed record PredictionRow(string Setting, int Seed, string Id, string Text, string Gold, string Predicted, double Confidence)
{
    /// <summary>The model's raw answer (LLM students); null for students that only score.</summary>
    public string? Answer { get; init; }
}

/// <summary>
/// Per-sample predictions as CSV: setting,seed,id,text,gold,predicted,confidence, and a last column answer when some
/// row has one (the LLM's raw answers, so that its unmappable answers survive a resumed run).
/// </summary>
public static class PredictionsFile
{
    public const string Header = "setting,seed,id,text,gold,predicted,confidence";

    public const string AnswerColumn = "answer";

    public static string Format(IEnumerable<PredictionRow> rows, bool withHeader = true)
    {
        var text = new StringBuilder();
        var list = rows as IReadOnlyCollection<PredictionRow> ?? [.. rows];
        var answers = list.Any(r => r.Answer is not null);
        if (withHeader)
        {
            text.Append(Header).Append(answers ? "," + AnswerColumn : "").Append('\n');
        }

        foreach (var row in list)
        {
            string[] fields = [row.Setting, row.Seed.ToString(CultureInfo.InvariantCulture), row.Id, row.Text, row.Gold, row.Predicted,
                CsvText.Number(row.Confidence)];
            text.Append(CsvFormat.Row(answers ? [.. fields, row.Answer ?? ""] : fields)).Append('\n');
        }

        return text.ToString();
    }

    public static Task WriteAsync(string path, IEnumerable<PredictionRow> rows, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, Format(rows), cancellationToken);

    public static async Task<IReadOnlyList<PredictionRow>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "predictions file not found");
        }

        return await Task.Run(() =>
        {
            var rows = new List<PredictionRow>();
            using var reader = CsvText.Open(path);
            int[] columns = [.. Header.Split(',').Select(name => CsvText.Column(path, reader, name))];
            var answer = CsvText.OptionalColumn(reader, AnswerColumn);
            foreach (var row in reader)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var line = row.LineNumberFrom;
                rows.Add(new PredictionRow(
                    row[columns[0]].ToString(),
                    CsvText.ParseInteger(path, line, "seed", row[columns[1]].ToString()),
                    row[columns[2]].ToString(),
                    row[columns[3]].ToString(),
                    row[columns[4]].ToString(),
                    row[columns[5]].ToString(),
                    CsvText.ParseNumber(path, line, "confidence", row[columns[6]].ToString()))
                {
                    Answer = answer >= 0 ? row[answer].ToString() : null,
                });
            }

            return rows;
        }, cancellationToken).ConfigureAwait(false);
    }
}
