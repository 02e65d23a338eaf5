namespace Encimap.Certificates.Dkim;

/// <summary>A request the service will not make a key for or sign (bad domain, empty or oversized message).</summary>
public sealed class InvalidDkimRequestException(string message) : Exception(message);
