namespace Encimap.Intake.Grpc;

/// <summary>The certificate service did not answer a lookup (down, too slow, or failing): retry later.</summary>
public sealed class CertificateServiceUnavailableException(string message, Exception inner) : Exception(message, inner);
