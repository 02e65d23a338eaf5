namespace Encimap.Api.Certificates;

/// <summary>
/// A call to the certificate service that did not succeed. <see cref="Detail"/> is the service's
/// own explanation, fit to pass on to the API's caller for an invalid request.
/// </summary>
public sealed class CertificateServiceException(CertificateServiceFailure failure, string detail, Exception? inner = null)
    : Exception($"The certificate service call failed ({failure}): {detail}", inner)
{
    public CertificateServiceFailure Failure { get; } = failure;

    public string Detail { get; } = detail;
}
