using System.Globalization;
using LowResGen.Common;

namespace LowResGen.Evaluation;

/// <summary>One row of results.csv: the macro-F1 and accuracy of one setting trained with one seed.</summary>
public sealed record ResultRow(string Setting, int Seed, double F1, double Accuracy);

/// <summary>
/// results.csv in the reference study's layout: exactly the columns setting,seed,f1,accuracy. Every write replaces the
/// whole file atomically, so a killed run leaves the rows finished so far and never a torn line.
/// </summary>
public static class ResultsFile
{
    public const string FileName = "results.csv";
    public const string Header = "setting,seed,f1,accuracy";

    public static async Task<IReadOnlyList<ResultRow>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "results file not found");
        }

        return await Task.Run(() =>
        {
            var rows = new List<ResultRow>();
            using var reader = CsvText.Open(path);
            var setting = CsvText.Column(path, reader, "setting");
            var seed = CsvText.Column(path, reader, "seed");
            var f1 = CsvText.Column(path, reader, "f1");
            var accuracy = CsvText.Column(path, reader, "accuracy");
            foreach (var row in reader)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var line = row.LineNumberFrom;
                rows.Add(new ResultRow(
                    row[setting].ToString(),
                    CsvText.ParseInteger(path, line, "seed", row[seed].ToString()),
                    CsvText.ParseNumber(path, line, "f1", row[f1].ToString()),
                    CsvText.ParseNumber(path, line, "accuracy", row[accuracy].ToString())));
            }

            return rows;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the rows if the file exists, else none.</summary>
    public static async Task<IReadOnlyList<ResultRow>> ReadIfExistsAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await ReadAsync(path, cancellationToken).ConfigureAwait(false) : [];

    public static Task WriteAsync(string path, IEnumerable<ResultRow> rows, CancellationToken cancellationToken) =>
        CsvFormat.WriteAsync(path, Header.Split(','),
            rows.Select(r => new[] { r.Setting, r.Seed.ToString(CultureInfo.InvariantCulture), CsvText.Number(r.F1), CsvText.Number(r.Accuracy) }),
            cancellationToken);
}
