namespace Encimap.Api.Certificates;

/// <summary>Why the certificate service did not do what the API asked.</summary>
public enum CertificateServiceFailure
{
    /// <summary>The request was refused as invalid (a bad address, password or profile).</summary>
    InvalidRequest,

    /// <summary>The vaultbox has no active certificate.</summary>
    NotFound,

    /// <summary>The service did not answer in time, could not be reached, or failed.</summary>
    Unavailable,
}
