namespace LowResGen.Common;

/// <summary>Values quoted in messages are cut, so a 200 MB line in a bad file never becomes a 200 MB error message.</summary>
public static class Excerpt
{
    /// <summary>About how many characters of a quoted value a message keeps.</summary>
    public const int DefaultLength = 200;

    /// <summary><paramref name="text"/> itself when short, else its start and how much was left out.</summary>
    public static string Of(string text, int length = DefaultLength) =>
        text.Length <= length ? text : string.Concat(text.AsSpan(0, length), $"… ({text.Length - length:N0} more characters)");
}
