namespace Encimap.Imap;

/// <summary>Another service of the fleet (the API, the intake) did not answer a call: try again later.</summary>
public sealed class ServiceUnavailableException(string message, Exception inner) : Exception(message, inner);
