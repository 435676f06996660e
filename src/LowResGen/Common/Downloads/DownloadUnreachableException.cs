namespace LowResGen.Common.Downloads;

/// <summary>Why a download never reached its host.</summary>
public enum UnreachableReason
{
    /// <summary>The host name did not resolve: no network, or no DNS.</summary>
    NameNotResolved,

    /// <summary>No route to the host or network.</summary>
    NoRoute,

    /// <summary>The host answered but nothing listens on the port: a local server that is not running.</summary>
    Refused,
}

/// <summary>
/// A download whose host could not be reached at all, after a short, bounded retry. <see cref="Offline"/> says whether
/// this looks like a machine without network (callers then point to their offline options) rather than a server that
/// is not running.
/// </summary>
public sealed class DownloadUnreachableException(Uri source, UnreachableReason reason, Exception innerException)
    : HttpRequestException(Describe(source, reason), innerException)
{
    public Uri Url { get; } = source;

    public UnreachableReason Reason { get; } = reason;

    public bool Offline => Reason != UnreachableReason.Refused;

    private static string Describe(Uri source, UnreachableReason reason)
    {
        var server = $"{source.Scheme}://{source.Authority}/";
        return reason switch
        {
            UnreachableReason.Refused => $"Connection to {source.Authority} refused: is the server running at {server}?",
            UnreachableReason.NameNotResolved => $"Cannot download {UrlRedaction.Describe(source)}: the name {source.Host} does not resolve (no network?).",
            _ => $"Cannot download {UrlRedaction.Describe(source)}: no route to {source.Host} (no network?).",
        };
    }
}
