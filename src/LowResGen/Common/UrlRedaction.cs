namespace LowResGen.Common;

/// <summary>URLs as logs and errors show them (downloads, served endpoints).</summary>
internal static class UrlRedaction
{
    /// <summary>A URL safe to show: no user info, no query string (signed URLs carry tokens there).</summary>
    public static string Describe(Uri uri) =>
        uri.IsAbsoluteUri ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : uri.ToString();
}
