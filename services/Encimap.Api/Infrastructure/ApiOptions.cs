namespace Encimap.Api.Infrastructure;

/// <summary>Settings of the API (configuration section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    /// <summary>The host name mail clients connect to, returned with credentials.</summary>
    public string MailHost { get; set; } = "localhost";

    public int ImapPort { get; set; } = 993;

    public int SmtpSubmissionPort { get; set; } = 2587;

    /// <summary>Validity of certificates issued without an explicit <c>days</c>.</summary>
    public int DefaultCertificateDays { get; set; } = 365;

    /// <summary>How long the certificate service may take to issue one certificate.</summary>
    public TimeSpan CertificateTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
