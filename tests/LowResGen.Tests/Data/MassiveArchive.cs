using System.Formats.Tar;
using System.IO.Compression;

namespace LowResGen.Tests.Data;

/// <summary>Builds a small MASSIVE-1.1-shaped tar.gz (1.1/data/&lt;locale&gt;.jsonl, plus a LICENSE) from kinit-synthetic data.</summary>
internal static class MassiveArchive
{
    public static async Task<(string Archive, Dictionary<string, MassiveFixture.Written> Locales)> BuildAsync(string folder, params string[] languages)
    {
        var locales = new Dictionary<string, MassiveFixture.Written>(StringComparer.Ordinal);
        foreach (var language in languages)
        {
            var written = await MassiveFixture.WriteLocaleFileAsync(Path.Combine(folder, "src"), language, perPart: 30);
            locales[Path.GetFileNameWithoutExtension(written.Path)] = written;
        }

        var license = Path.Combine(folder, "src", "LICENSE");
        await File.WriteAllTextAsync(license, "CC BY 4.0\n");
        var archive = Path.Combine(folder, "amazon-massive-dataset-1.1.tar.gz");
        await using (var file = File.Create(archive))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip))
        {
            await tar.WriteEntryAsync(license, "1.1/LICENSE");
            foreach (var (locale, written) in locales)
            {
                await tar.WriteEntryAsync(written.Path, $"1.1/data/{locale}.jsonl");
            }
        }

        return (archive, locales);
    }
}
