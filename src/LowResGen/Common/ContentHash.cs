using System.Security.Cryptography;
using System.Text;

namespace LowResGen.Common;

/// <summary>Short SHA-256 fingerprints of text, for keys and version tags (files: <see cref="Downloads.ResumableDownloader.Sha256OfFileAsync"/>).</summary>
public static class ContentHash
{
    /// <summary>The first <paramref name="hexDigits"/> lower-case hex digits of the SHA-256 of <paramref name="text"/> in UTF-8.</summary>
    public static string Of(string text, int hexDigits) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..hexDigits];
}
