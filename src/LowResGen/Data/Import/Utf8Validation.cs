using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace LowResGen.Data.Import;

/// <summary>Finds the first byte sequence in a file that is not UTF-8, so the error can name its line; a NUL byte is an error at once.</summary>
internal static class Utf8Validation
{
    /// <summary>The 1-based line and the byte offset of the first invalid sequence, or null when the file is valid UTF-8.</summary>
    public static async Task<(long Line, long Offset)?> FindInvalidAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        var chars = ArrayPool<char>.Shared.Rent(buffer.Length);
        try
        {
            long line = 1;
            long offset = 0;
            var carried = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(carried), cancellationToken).ConfigureAwait(false);
                var available = carried + read;
                var final = read == 0;
                var status = Utf8.ToUtf16(buffer.AsSpan(0, available), chars, out var consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
                if (buffer.AsSpan(0, consumed).IndexOf((byte)0) is var nul and >= 0)
                {
                    // Text readers would pass a NUL on silently; it means a binary or corrupted file.
                    throw new LowResGen.Common.DataFormatException(path, line + buffer.AsSpan(0, nul).Count((byte)'\n'), null,
                        $"NUL byte at byte offset {offset + nul}: not a text file, or a corrupted one");
                }

                line += buffer.AsSpan(0, consumed).Count((byte)'\n');
                if (status == OperationStatus.InvalidData)
                {
                    return (line, offset + consumed);
                }

                offset += consumed;
                carried = available - consumed;
                buffer.AsSpan(consumed, carried).CopyTo(buffer);
                if (final)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>A reader that decodes leniently (invalid bytes become U+FFFD) and drops a UTF-8 byte-order mark.</summary>
    public static StreamReader OpenText(string path) =>
        new(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
}
