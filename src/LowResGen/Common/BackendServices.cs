namespace LowResGen.Common;

/// <summary>
/// What every backend (chat client or embedding generator) answers to <c>GetService</c>: its metadata for the metadata
/// type, itself for any type it is, nothing for a keyed request.
/// </summary>
internal static class BackendServices
{
    public static object? Resolve(object backend, object metadata, Type serviceType, object? serviceKey) =>
        serviceKey is not null ? null
        : serviceType == metadata.GetType() ? metadata
        : serviceType.IsInstanceOfType(backend) ? backend
        : null;
}
