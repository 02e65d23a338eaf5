using Microsoft.Extensions.Options;

namespace Encimap.Certificates;

/// <summary>Rejects a configuration the service cannot run with, at start.</summary>
public sealed class CertificateOptionsValidation : IValidateOptions<CertificateOptions>
{
    public ValidateOptionsResult Validate(string? name, CertificateOptions options)
    {
        var failures = new List<string>();
        if (!CertificateOptions.IsValidKeySize(options.KeySizeBits))
        {
            failures.Add($"Certificates:KeySizeBits must be a multiple of 1024 from {CertificateOptions.MinKeySizeBits} to {CertificateOptions.MaxKeySizeBits}.");
        }
        if (!CertificateOptions.IsValidValidity(options.ValidityDays))
        {
            failures.Add($"Certificates:ValidityDays must be from {CertificateOptions.MinValidityDays} to {CertificateOptions.MaxValidityDays}.");
        }
        if (options.KeyPoolSize is < 0 or > 1024)
        {
            failures.Add("Certificates:KeyPoolSize must be from 0 to 1024.");
        }
        if (options.RenewBeforeDays is < 1 or > CertificateOptions.MaxValidityDays)
        {
            failures.Add($"Certificates:RenewBeforeDays must be from 1 to {CertificateOptions.MaxValidityDays}.");
        }
        if (options.RenewalInterval <= TimeSpan.Zero)
        {
            failures.Add("Certificates:RenewalInterval must be positive.");
        }
        if (options.RenewalFirstRunDelay < TimeSpan.Zero)
        {
            failures.Add("Certificates:RenewalFirstRunDelay must not be negative.");
        }
        if (options.RenewalBatchSize < 1)
        {
            failures.Add("Certificates:RenewalBatchSize must be at least 1.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
